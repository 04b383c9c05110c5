"""Outputs that cannot be written: a directory the user may not write to, a disk that
fills up while writing. swaprun must fail with exit status 1, name the path, and leave
neither the output nor a temporary file behind.

usage: output_faults_test.py SWAPRUN FIXTURE_TOOL WORK_DIR

A full disk is simulated with RLIMIT_FSIZE (writes past the limit fail with EFBIG, as
they fail with ENOSPC on a full disk; the signal that would kill the process is
ignored). As root, the read-only directory is tried as the user 'nobody', since root
may write anywhere.
"""
import os
import pwd
import resource
import shutil
import signal
import subprocess
import sys
import unittest

SWAPRUN, FIXTURE_TOOL, WORK = sys.argv[1:4]


def run(args, **kwargs):
    return subprocess.run([str(a) for a in args], capture_output=True, text=True, errors="replace",
                          timeout=120, **kwargs)


class OutputFaults(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        shutil.rmtree(WORK, ignore_errors=True)
        os.makedirs(WORK)
        os.chmod(WORK, 0o755)
        r = run([FIXTURE_TOOL, WORK])
        assert r.returncode == 0, r.stderr
        for name in os.listdir(WORK):
            os.chmod(os.path.join(WORK, name), 0o644)

    def infer(self, output, **kwargs):
        return run([SWAPRUN, "infer", os.path.join(WORK, "model.swpk"),
                    "--input", "target=" + os.path.join(WORK, "target.npy"),
                    "--input", "source=" + os.path.join(WORK, "source.npy"),
                    "--output", "output=" + output, "--threads", "1"], **kwargs)

    def assert_clean_failure(self, result, output):
        self.assertEqual(result.returncode, 1, result.stderr)
        self.assertIn("error", result.stderr)
        self.assertIn(output, result.stderr)
        directory = os.path.dirname(output)
        self.assertEqual(sorted(os.listdir(directory)), self.before,
                         "a partial output or temporary file was left behind")

    def test_read_only_directory(self):
        directory = os.path.join(WORK, "read_only")
        os.makedirs(directory)
        os.chmod(directory, 0o555)
        kwargs = {}
        if os.geteuid() == 0:
            nobody = pwd.getpwnam("nobody")

            def drop():
                os.setgid(nobody.pw_gid)
                os.setuid(nobody.pw_uid)
            kwargs["preexec_fn"] = drop
        self.before = []
        output = os.path.join(directory, "out.npy")
        self.assert_clean_failure(self.infer(output, **kwargs), output)

    def test_disk_full_while_writing(self):
        directory = os.path.join(WORK, "full")
        os.makedirs(directory)
        self.before = []
        output = os.path.join(directory, "out.npy")

        def limit_file_size():
            # The output is 3 kB; 1 kB of it gets written before the "disk" is full.
            signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
            resource.setrlimit(resource.RLIMIT_FSIZE, (1024, 1024))
        self.assert_clean_failure(self.infer(output, preexec_fn=limit_file_size), output)

    def test_success_writes_the_output(self):
        # The same command with room to write works, so the failures above are the faults'.
        directory = os.path.join(WORK, "ok")
        os.makedirs(directory)
        output = os.path.join(directory, "out.npy")
        r = self.infer(output)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(os.listdir(directory), ["out.npy"])


if __name__ == "__main__":
    unittest.main(argv=sys.argv[:1], verbosity=2)
