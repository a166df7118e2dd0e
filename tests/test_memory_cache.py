"""The cache of freed large tensor blocks: what it keeps, reuse, limits."""
import numpy as np
import pytest

import convcore as cc

MIB = 2**20


@pytest.fixture
def fresh_cache():
    """An empty cache with the default limit, restored afterwards."""
    limit = cc.get_cache_limit()
    cc.empty_cache()
    yield
    cc.set_cache_limit(limit)
    cc.empty_cache()


def test_freed_large_tensor_is_cached_at_its_rounded_size(fresh_cache):
    t = cc.zeros([5 * MIB // 4])  # 5 MiB: rounded up to 6 MiB, a multiple of 2 MiB
    assert cc.cached_memory() == 0
    del t
    assert cc.cached_memory() == 6 * MIB
    cc.empty_cache()
    assert cc.cached_memory() == 0


def test_mid_sized_tensor_is_cached_in_64_kib_steps(fresh_cache):
    t = cc.zeros([MIB // 4 + 1])  # 1 MiB and 4 bytes: rounded up to 1 MiB + 64 KiB
    del t
    assert cc.cached_memory() == MIB + 64 * 1024


def test_small_tensors_are_not_cached(fresh_cache):
    t = cc.zeros([32 * 1024])  # 128 KiB
    del t
    assert cc.cached_memory() == 0


def test_reused_block_holds_the_new_tensors_values(fresh_cache):
    n = 3 * MIB // 4 * 2  # 6 MiB
    a = cc.ones([n])
    del a
    assert cc.cached_memory() == 6 * MIB
    b = cc.zeros([n])  # takes the block back
    assert cc.cached_memory() == 0
    assert not np.asarray(b).any()
    x = np.random.default_rng(0).standard_normal(n).astype(np.float32)
    del b
    y = cc.relu(cc.tensor(x))
    np.testing.assert_array_equal(np.asarray(y), np.maximum(x, 0))


def test_limit_bounds_the_cache(fresh_cache):
    cc.set_cache_limit(10 * MIB)
    a, b = cc.zeros([MIB]), cc.zeros([MIB])  # 4 MiB each
    c = cc.zeros([MIB])
    del a, b, c
    assert cc.cached_memory() == 8 * MIB  # the third does not fit under 10 MiB
    cc.set_cache_limit(4 * MIB)  # shrinking returns blocks at once
    assert cc.cached_memory() == 4 * MIB
    cc.set_cache_limit(0)
    assert cc.cached_memory() == 0
    d = cc.zeros([MIB])
    del d
    assert cc.cached_memory() == 0


def test_a_new_size_evicts_old_blocks_when_full(fresh_cache):
    cc.set_cache_limit(8 * MIB)
    a = cc.zeros([2 * MIB])  # 8 MiB
    del a
    assert cc.cached_memory() == 8 * MIB
    b = cc.zeros([MIB])  # 4 MiB: no block of its size; the 8 MiB one is released to make room
    assert cc.cached_memory() == 0
    del b
    assert cc.cached_memory() == 4 * MIB


@pytest.mark.parametrize("bad", [-1, 1.5, "1", True])
def test_set_cache_limit_rejects_bad_values(bad):
    with pytest.raises(ValueError, match="nbytes must be a non-negative int"):
        cc.set_cache_limit(bad)
