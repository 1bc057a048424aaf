"""How many CPUs a server may use: the setting, a container's quota, or its affinity."""

import os
from pathlib import Path

import pytest

from playground import cpus

NO_QUOTA = Path("/nonexistent/cpu.max")


def affinity() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()


@pytest.mark.parametrize(("value", "count"), [("1", 1), (" 3 ", 3), ("64", 64)])
def test_the_setting_gives_the_count(value, count, tmp_path):
    quota = tmp_path / "cpu.max"
    quota.write_text("100000 100000\n")  # a quota of one CPU: the setting still wins
    assert cpus.available({cpus.VARIABLE: value}, quota) == count


def test_without_a_setting_or_quota_a_server_uses_the_cpus_it_may_run_on():
    assert cpus.available({}, NO_QUOTA) == affinity()


@pytest.mark.parametrize(
    ("cpu_max", "count"),
    [("100000 100000", 1), ("150000 100000", 2), ("50000 100000", 1), ("max 100000", None)],
)
def test_a_containers_cpu_quota_is_read_and_rounded_up(cpu_max, count, tmp_path):
    quota = tmp_path / "cpu.max"
    quota.write_text(cpu_max + "\n")  # (cgroup v2: "$MAX $PERIOD", as Docker's --cpus sets it)
    assert cpus.quota(quota) == count
    assert cpus.available({}, quota) == min(affinity(), count or affinity())


@pytest.mark.parametrize("text", ["", "garbage", "0 0", "12"])
def test_an_unreadable_quota_is_no_quota(text, tmp_path):
    quota = tmp_path / "cpu.max"
    quota.write_text(text)
    assert cpus.quota(quota) is None
    assert cpus.quota(tmp_path / "missing") is None


@pytest.mark.parametrize("value", ["0", "-1", "1.5", "two", "1e9x"])
def test_a_setting_that_is_not_a_whole_number_is_logged_and_ignored(value, caplog):
    assert cpus.parse(value) is None
    assert cpus.available({cpus.VARIABLE: value}, NO_QUOTA) == affinity()
    assert cpus.VARIABLE in caplog.text and repr(value) in caplog.text
