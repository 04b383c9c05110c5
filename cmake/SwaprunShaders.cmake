# Compiles shaders/*.comp to SPIR-V at build time (glslangValidator, Vulkan 1.1
# target), once per precision, and embeds every module into one generated C++ source.
#   swaprun_embed_shaders(<out_var>) sets <out_var> to the generated source's path.
find_program(GLSLANG_VALIDATOR glslangValidator REQUIRED)

set(SWAPRUN_SHADER_DIR ${PROJECT_SOURCE_DIR}/shaders)
set(SWAPRUN_SHADERS adain binary conv2d conv2d_direct conv2d_sum copy gemm pad pool reduce_mean resize transpose unary)
set(SWAPRUN_SHADER_PRECISIONS fp32 fp16)
# The shaders with a third build, fp16m: fp16 storage and fp16 arithmetic (SWR_FP16_MATH).
set(SWAPRUN_FP16_MATH_SHADERS conv2d)

function(swaprun_embed_shaders out_var)
  set(spv_dir ${CMAKE_CURRENT_BINARY_DIR}/spirv)
  file(MAKE_DIRECTORY ${spv_dir})
  set(names "")
  set(files "")
  foreach(shader ${SWAPRUN_SHADERS})
    set(precisions ${SWAPRUN_SHADER_PRECISIONS})
    if(shader IN_LIST SWAPRUN_FP16_MATH_SHADERS)
      list(APPEND precisions fp16m)
    endif()
    foreach(precision ${precisions})
      set(spv ${spv_dir}/${shader}_${precision}.spv)
      set(defines "")
      if(precision STREQUAL "fp16")
        set(defines -DSWR_FP16)
      elseif(precision STREQUAL "fp16m")
        set(defines -DSWR_FP16 -DSWR_FP16_MATH)
      endif()
      add_custom_command(
        OUTPUT ${spv}
        COMMAND ${GLSLANG_VALIDATOR} --quiet --target-env vulkan1.1 -V ${defines}
                -I${SWAPRUN_SHADER_DIR} -o ${spv} ${SWAPRUN_SHADER_DIR}/${shader}.comp
        DEPENDS ${SWAPRUN_SHADER_DIR}/${shader}.comp ${SWAPRUN_SHADER_DIR}/common.glsl
        COMMENT "glslang ${shader}.comp (${precision})"
        VERBATIM)
      list(APPEND names ${shader}_${precision})
      list(APPEND files ${spv})
    endforeach()
  endforeach()
  set(generated ${CMAKE_CURRENT_BINARY_DIR}/swaprun_spirv.cpp)
  string(REPLACE ";" "," names_arg "${names}")
  string(REPLACE ";" "," files_arg "${files}")
  add_custom_command(
    OUTPUT ${generated}
    COMMAND ${CMAKE_COMMAND} -DOUTPUT=${generated} -DNAMES=${names_arg} -DFILES=${files_arg}
            -P ${PROJECT_SOURCE_DIR}/cmake/EmbedSpirv.cmake
    DEPENDS ${files} ${PROJECT_SOURCE_DIR}/cmake/EmbedSpirv.cmake
    COMMENT "Embedding SPIR-V shaders"
    VERBATIM)
  set(${out_var} ${generated} PARENT_SCOPE)
endfunction()
