// Shared by every compute shader: the bindings all pipelines share, parameter access
// and the storage precision.
//
// Every dispatch binds the same layout: binding 0 the parameter words of the whole
// graph (the push constant says where this dispatch's start), binding 1 the output,
// bindings 2..5 the inputs. Tensors are bound at offsets rounded down to the device's
// alignment; words 0..4 of a dispatch's parameters are the element offsets of the
// output and the inputs inside their bound ranges.

#ifdef SWR_FP16
#extension GL_EXT_shader_16bit_storage : require
#define STORE_T float16_t
#else
#define STORE_T float
#endif

// The arithmetic type of the shaders built with fp16 arithmetic (SWR_FP16_MATH, on
// devices with shaderFloat16): float16_t there, float everywhere else.
#ifdef SWR_FP16_MATH
#extension GL_EXT_shader_explicit_arithmetic_types_float16 : require
#define MATH_T float16_t
#else
#define MATH_T float
#endif

layout(std430, set = 0, binding = 0) readonly buffer Params { int prm[]; };
layout(std430, set = 0, binding = 1) buffer Out { STORE_T y_[]; };
layout(std430, set = 0, binding = 2) readonly buffer In0 { STORE_T x0_[]; };
layout(std430, set = 0, binding = 3) readonly buffer In1 { STORE_T x1_[]; };
layout(std430, set = 0, binding = 4) readonly buffer In2 { STORE_T x2_[]; };
layout(std430, set = 0, binding = 5) readonly buffer In3 { STORE_T x3_[]; };

layout(push_constant) uniform Push { uint base; } pc;

int P(int i) { return prm[pc.base + uint(i)]; }
float PF(int i) { return intBitsToFloat(prm[pc.base + uint(i)]); }

// Parameter words after the five offsets.
#define ARG(i) P(8 + (i))
#define ARGF(i) PF(8 + (i))

float load0(uint i) { return float(x0_[uint(P(1)) + i]); }
float load1(uint i) { return float(x1_[uint(P(2)) + i]); }
float load2(uint i) { return float(x2_[uint(P(3)) + i]); }
float load3(uint i) { return float(x3_[uint(P(4)) + i]); }
void store(uint i, float v) { y_[uint(P(0)) + i] = STORE_T(v); }

// The workgroup size of the 1-D shaders (vulkan::kLinearGroupSize). A literal, not a
// specialization constant: lavapipe computes gl_WorkGroupSize from a specialized
// local_size_x_id as its default of 1.
#define LINEAR_GROUP 128

// The linear invocation index of a 1-D problem dispatched as a 2-D grid (the grid's
// x is capped at the device's group count limit).
uint linear_index() {
    return (gl_WorkGroupID.y * gl_NumWorkGroups.x + gl_WorkGroupID.x) * uint(LINEAR_GROUP) +
           gl_LocalInvocationID.x;
}

// tanh through exp overflows to inf/inf for large |x| on some drivers: clamp first
// (tanh(15) is 1 in float).
float safe_tanh(float x) { return tanh(clamp(x, -15.0, 15.0)); }

// kernels::Activation values; `alpha` is LeakyRelu's slope.
float activate(float x, int kind, float alpha) {
    if (kind == 1) return max(x, 0.0);
    if (kind == 2) return x < 0.0 ? alpha * x : x;
    if (kind == 3) return safe_tanh(x);
    if (kind == 4) return (safe_tanh(x) + 1.0) * 0.5;
    if (kind == 5) return 1.0 / (1.0 + exp(-x));
    return x;
}

// kernels::PadMode: maps an index outside [0, n) onto it, or -1 for the constant.
// Reflection is symmetric about 0 and periodic in 2 (n - 1), so it folds |i|: GLSL
// leaves % undefined for a negative operand, and NVIDIA's driver does not give the
// mathematical modulo there (reflect padding came out wrong on an H200).
int map_index(int i, int n, int mode) {
    if (i >= 0 && i < n) return i;
    if (mode == 0) return -1;
    if (mode == 2) return i < 0 ? 0 : n - 1;
    if (n == 1) return 0;
    const int period = 2 * (n - 1);
    const int r = abs(i) % period;
    return r < n ? r : period - r;
}
