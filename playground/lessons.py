"""Guided lessons: name → a view with settings, told as "predict, press play, read why".

A lesson is a link: the view's URL path plus query parameters in exactly the form the view's
widgets keep in the URL, plus ``lesson=<key>``. Its story lives in the catalogue under
``lesson_<key>_title``, ``lesson_<key>_predict`` and ``lesson_<key>_why``; each lesson's claim
is checked against its own numbers in tests/test_lessons.py. The training lessons turn on
"watch slowly" (``slow``, ``net_slow``): their runs would be over before a class had looked.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode

Params = tuple[tuple[str, str | tuple[str, ...]], ...]


@dataclass(frozen=True)
class Lesson:
    """One guided lesson.

    Attributes
    ----------
    key : str
        Registry name, and the value of ``?lesson=``.
    page : str
        URL path of the view ("loss-surface", "race", "ewa", "overfit", "convnet").
    params : tuple of (name, value) pairs
        The view's settings, as they appear in its URL (a tuple value repeats the name).
    then : str, optional
        The catalogue key of "what to do next", where it is not the view's own (its animation
        or Train): a lesson about a panel further down says where to go.
    """

    key: str
    page: str
    params: Params
    then: str | None = None

    @property
    def query(self) -> dict[str, str | list[str]]:
        """Query parameters of the lesson's link (``lesson`` included)."""
        out: dict[str, str | list[str]] = {"lesson": self.key}
        for name, value in self.params:
            out[name] = list(value) if isinstance(value, tuple) else value
        return out

    def url(self, lang: str | None = None) -> str:
        """The relative link of the lesson, e.g. ``/race?lesson=saddle&surface=saddle…``."""
        query = dict(self.query)
        if lang:
            query["lang"] = lang
        return f"/{self.page}?" + urlencode(query, doseq=True)

    def setting(self, name: str, default: str | None = None) -> str | None:
        """One setting of the lesson (the last value of a repeated one)."""
        for key, value in self.params:
            if key == name:
                return value[-1] if isinstance(value, tuple) else value
        return default


LESSONS: dict[str, Lesson] = {
    lesson.key: lesson
    for lesson in (
        Lesson(
            "bowl_vs_pyramid",
            "loss-surface",
            (("loss", "mae"), ("lr", "0.05")),
            then="lesson_then_each_path",  # (its question says when to press ▶, twice)
        ),
        Lesson("lr_too_large", "loss-surface", (("lr", "0.2"),)),
        Lesson(
            "minibatch_noise",
            "loss-surface",
            (
                ("source", "noisy"),
                ("true_w", "2"),
                ("true_b", "1"),
                ("sigma", "0.3"),
                ("n", "200"),
                ("batch", "sgd"),
                ("lr", "0.1"),
                ("steps", "300"),
            ),
        ),
        Lesson(
            "saddle_escape",
            "race",
            (
                ("surface", "saddle"),
                ("n_runs", "2"),
                ("r0", "sgd"),
                ("r0_lr", "0.01"),
                ("r1", "momentum"),
                ("r1_lr", "0.01"),
                ("panel", "saddle"),
            ),
        ),
        Lesson(
            "momentum_vs_nesterov",
            "race",
            (
                ("surface", "bowl"),
                ("kappa", "10"),
                ("start_x", "-2.5"),
                ("start_y", "2"),
                ("n_runs", "2"),
                ("r0", "momentum"),
                ("r0_lr", "0.02"),
                ("r1", "nesterov"),
                ("r1_lr", "0.02"),
            ),
        ),
        Lesson(
            "adam_vs_sgd",
            "race",
            (
                ("surface", "bowl"),
                ("kappa", "100"),
                ("start_x", "-2.5"),
                ("start_y", "2"),
                ("n_runs", "2"),
                ("r0", "sgd"),
                ("r0_lr", "0.015"),
                ("r1", "adam"),
                ("r1_lr", "0.1"),
            ),
        ),
        Lesson(
            "ewa_lag",
            "ewa",
            (("series", "step"), ("betas", ("0.5", "0.9", "0.98")), ("v0", "zero")),
        ),
        Lesson(
            "early_stopping",
            "overfit",
            (
                # 150 epochs: early stopping's 26 take a sixth of the axis (of 300 a tenth, and
                # a fresh-eyes teacher still found its marks piled up at the left edge), and the
                # baseline's validation loss has done most of its rising by then
                ("epochs", "150"),
                ("use_dropout", "false"),
                ("use_weight_decay", "false"),
                ("slow", "true"),  # "watch slowly": 300 epochs train in well under a second
            ),
        ),
        Lesson(
            "dropout",
            "overfit",
            (
                ("epochs", "300"),  # (the early-stopping lesson's run: the same network)
                ("use_early_stopping", "false"),
                ("use_weight_decay", "false"),
                ("slow", "true"),
            ),
        ),
        Lesson(
            "few_digits",
            "convnet",
            (
                ("net_fraction", "0.1"),
                ("net_epochs", "100"),
                ("net_use_weight_decay", "false"),
                ("net_slow", "true"),
            ),
        ),
        Lesson(
            "edge_of_stability",
            "landscape",
            (("ll_r2_on", "false"), ("ll_r3_on", "false"), ("ll_slow", "true")),
        ),
        Lesson(
            "zero_init",
            "inside",
            (("in_init", "same"), ("in_slow", "true")),
            then="lesson_then_maps",
        ),
        Lesson(
            "warmup",
            "race",
            (
                ("surface", "rosenbrock"),
                ("steps", "500"),
                ("n_runs", "2"),
                *(("r0", "sgd"), ("r0_lr", "0.004"), ("r1", "sgd"), ("r1_lr", "0.004")),
                ("r1_sched", "warmup_cosine"),
                ("r1_sched_warmup", "50"),
                ("r1_sched_start_factor", "0.01"),
            ),
        ),
        Lesson(
            "range_vs_fair",
            "race",
            (
                ("surface", "beale"),
                ("n_runs", "5"),
                *(("r0", "sgd"), ("r1", "momentum"), ("r2", "adam")),
                *(("r3", "rmsprop"), ("r4", "adagrad")),
                ("fair_on", "true"),
            ),
            then="lesson_then_fair",
        ),
        Lesson(
            "cosine_pyramid",
            "loss-surface",
            (("loss", "mae"), ("lr", "0.1"), ("gd_sched", "cosine")),
        ),
        Lesson(
            "features",
            "inside",
            (
                ("in_hidden", ""),
                ("in_f_x1", "true"),  # (first the failure: x₁, x₂; the class then ticks x₁², x₂²)
                ("in_f_x2", "true"),
                ("in_f_x1sq", "false"),
                ("in_f_x2sq", "false"),
                ("in_slow", "true"),
            ),
            then="lesson_then_watch",  # (its question already says when to press Train)
        ),
    )
}
