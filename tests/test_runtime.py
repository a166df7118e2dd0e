"""Instruction-set dispatch, threads and the build summary."""
import os
import subprocess
import sys

import pytest

import convcore as cc


def test_show_config(capsys):
    cc.show_config()
    out = capsys.readouterr().out
    assert f"convcore {cc.__version__}" in out
    assert "instruction sets compiled: scalar" in out
    assert f"instruction set in use:    {cc.get_isa()}" in out
    assert f"OpenMP threads:            {cc.get_num_threads()}" in out
    assert "CUDA:" in out


def test_threads_roundtrip():
    old = cc.get_num_threads()
    try:
        cc.set_num_threads(1)
        assert cc.get_num_threads() == 1
    finally:
        cc.set_num_threads(old)
    with pytest.raises(ValueError, match="at least 1"):
        cc.set_num_threads(0)


def test_set_isa_validates():
    with pytest.raises(ValueError, match="expected one of 'scalar', 'avx2', 'avx512'"):
        cc.set_isa("sse9")
    previous = cc.get_isa()
    cc.set_isa("scalar")
    assert cc.get_isa() == "scalar"
    cc.set_isa(previous)


@pytest.mark.parametrize("level", ["scalar", "avx2", "avx512"])
def test_environment_variable_forces_level(level):
    env = dict(os.environ, CONVCORE_ISA=level)
    code = "import convcore; print(convcore.get_isa())"
    proc = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    supported = level in cc.compiled_isas() and (
        ["scalar", "avx2", "avx512"].index(level)
        <= ["scalar", "avx2", "avx512"].index(cc._C.best_supported_isa()))
    if supported:
        assert proc.returncode == 0, proc.stderr
        assert proc.stdout.strip() == level
    else:
        assert proc.returncode != 0 and "CONVCORE_ISA" in proc.stderr
