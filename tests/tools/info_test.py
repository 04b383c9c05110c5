#!/usr/bin/python3
"""swaprun info: each op's line says how the CPU runs it.

    info_test.py BIN FIXTURES WORK

Uses the width-4 live_base fixture (opset 13) exported by the model fixtures: its 7x7
head and tail, stride-2 encoder, upsampling decoder and 32 x 32 blocks take most of the
CPU's algorithms and both kinds of folding (Resizes, and the first of each pair); and the
width-4 SCRFD-0.5GF replica for the depthwise kernel.
"""
import os
import re
import subprocess
import sys
import unittest

BIN, FIXTURES, WORK = sys.argv[1:4] if len(sys.argv) >= 4 else ("", "", "")
STEM = "live_base_w4"
ALGORITHMS = ("direct", "winograd", "polyphase", "row_winograd", "winograd_s2", "strided_amx")
OP_LINE = re.compile(r"^\s+(\d+)\s+(\w+)\s+(\S+) -> (.*)$")


def run(*args):
    return subprocess.run(list(args), capture_output=True, text=True, timeout=300)


def cpu_has(*flags, unless=()):
    """Whether /proc/cpuinfo lists every flag, and no SWAPRUN_DISABLE_* in `unless` is set."""
    try:
        with open("/proc/cpuinfo") as f:
            listed = f.read()
    except OSError:
        return False
    return (all(f" {flag}" in listed for flag in flags) and
            not any(os.environ.get("SWAPRUN_DISABLE_" + name) for name in unless))


def simd_x86():
    """Whether this is an x86 machine whose kernels swaprun runs with AVX2 and FMA."""
    return cpu_has("avx2", "fma", unless=("AVX2",))


def amx():
    """Whether swaprun may run bf16x3 on this machine's AMX tiles."""
    return cpu_has("amx_bf16", "avx512f", unless=("AMX", "AVX512", "AVX2"))


def info_ops(onnx_name, *options):
    """{op index: (type, name, the rest of its line)} of `swaprun info` on the fixture."""
    os.makedirs(WORK, exist_ok=True)
    swpk = os.path.join(WORK, onnx_name.replace(".onnx", ".swpk"))
    r = run(os.path.join(BIN, "swapconv"), os.path.join(FIXTURES, onnx_name), swpk)
    assert r.returncode == 0, r.stderr
    r = run(os.path.join(BIN, "swaprun"), "info", swpk, *options)
    assert r.returncode == 0, r.stderr
    ops = {}
    for line in r.stdout.splitlines():
        m = OP_LINE.match(line)
        if m:
            ops[int(m.group(1))] = (m.group(2), m.group(3), m.group(4))
    return ops


def cpu_of(line_rest):
    m = re.search(r"\(CPU: (.*)\)$", line_rest)
    return m.group(1) if m else None


class Info(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.ops = info_ops(STEM + "_op13.onnx")

    def cpu(self, k):
        return cpu_of(self.ops[k][2])

    def test_every_convolution_names_its_algorithm(self):
        convs = [k for k, (kind, _, _) in self.ops.items() if kind == "Conv2d"]
        self.assertEqual(len(convs), 26)  # head, 4 down, 16 in the blocks, 4 up, tail
        for k in convs:
            cpu = self.cpu(k)
            self.assertIsNotNone(cpu, self.ops[k])
            self.assertIn(cpu.split(" on ")[0], ALGORITHMS, self.ops[k])

    def test_pairs_name_each_other(self):
        for k in self.ops:
            cpu = self.cpu(k) or ""
            m = re.search(r"first of a pair with op (\d+)", cpu)
            if m:
                second = int(m.group(1))
                self.assertIn(f"second of a pair with op {k}", self.cpu(second) or "")
            m = re.search(r"second of a pair with op (\d+)", cpu)
            if m:
                self.assertIn(f"first of a pair with op {k}", self.cpu(int(m.group(1))) or "")

    @unittest.skipUnless(simd_x86(), "the row transforms, pairs and folded Resizes need the "
                         "AVX2 or AVX-512 kernels")
    def test_the_x86_kernels_fold_and_pair(self):
        names = {name: k for k, (_, name, _) in self.ops.items()}
        head, tail = names["/head/conv/Conv"], names["/tail/conv/Conv"]
        self.assertTrue(self.cpu(head).startswith("row_winograd on "), self.ops[head])
        self.assertIn("first of a pair with op", self.cpu(head))
        self.assertTrue(self.cpu(tail).startswith("row_winograd on "), self.ops[tail])
        self.assertIn("second of a pair with op", self.cpu(tail))
        resizes = [k for k, (kind, _, _) in self.ops.items() if kind == "Resize"]
        self.assertEqual(len(resizes), 4)
        for k in resizes:
            self.assertEqual(self.cpu(k), "folded into the convolution that reads it")
        blocks = [k for k, (_, name, _) in self.ops.items()
                  if name.startswith("/blocks.") and name.endswith("/conv/Conv")]
        for k in blocks:
            self.assertTrue(self.cpu(k).startswith("winograd on "), self.ops[k])

    @unittest.skipUnless(amx(), "bf16x3 runs on AMX-BF16 tiles, which this machine lacks")
    def test_bf16x3_names_the_layers_on_amx_tiles(self):
        bf16x3 = info_ops(STEM + "_op13.onnx", "--precision", "bf16x3")
        on_tiles = [k for k, (_, _, rest) in bf16x3.items()
                    if ", bf16x3 on AMX tiles" in (cpu_of(rest) or "")]
        self.assertTrue(on_tiles, bf16x3)
        for k in on_tiles:  # fp32 keeps them off the tiles
            self.assertNotIn("AMX", self.cpu(k) or "", self.ops[k])


class Depthwise(unittest.TestCase):
    @unittest.skipUnless(simd_x86(), "the depthwise kernel is one of the AVX2 / AVX-512 ones")
    def test_the_depthwise_layers_name_their_kernel(self):
        ops = info_ops("scrfd_500m_w4_op11.onnx")
        cpus = [cpu_of(rest) or "" for kind, _, rest in ops.values() if kind == "Conv2d"]
        # MobileNetV1's blocks: a depthwise 3x3 and a pointwise 1x1 each.
        depthwise = [c for c in cpus if c.endswith(", depthwise")]
        self.assertGreaterEqual(len(depthwise), 10, cpus)
        self.assertTrue(all(c.startswith("direct on ") for c in depthwise), depthwise)


if __name__ == "__main__":
    unittest.main(argv=[sys.argv[0]], verbosity=2)
