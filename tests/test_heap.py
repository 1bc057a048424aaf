"""A settled process: what it loaded is out of the collector's walks, and garbage still goes."""

import subprocess
import sys
import textwrap


def run(code: str) -> str:
    """Run ``code`` in a fresh interpreter (settling freezes a whole process) and return its
    output."""
    out = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True, check=True
    )
    return out.stdout.strip()


def test_settling_takes_what_was_loaded_out_of_a_full_collections_walk():
    before, after = run(
        """
        import torch
        from playground import heap
        before = heap.walked()
        heap.settle()
        print(before, heap.walked())
        """
    ).split()
    assert int(before) > 50_000  # torch's modules, functions and classes
    assert int(after) < int(before) / 100


def test_a_settled_process_still_frees_cycles_made_later_and_objects_it_froze():
    out = run(
        """
        import gc, weakref
        from playground import heap

        class Node:
            pass

        frozen = Node()
        frozen_gone = []
        ref = weakref.ref(frozen, lambda _: frozen_gone.append(True))
        assert heap.settle("view")
        assert not heap.settle("view")  # once per name
        del frozen  # its last reference: freed at once, frozen or not
        later = Node()
        later.me = later  # a cycle made after settling: only the collector frees it
        later_ref = weakref.ref(later)
        del later
        gc.collect()
        print(bool(frozen_gone), later_ref() is None)
        """
    )
    assert out == "True True"
