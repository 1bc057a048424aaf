"""Data sets for linear regression: the classic three points, a noisy line, an uploaded CSV.

Every generator is seeded; uploaded files are validated and every problem becomes a
:class:`~playground.i18n.UserError` with a clear message instead of a traceback.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from playground.i18n import UserError, t

MAX_ROWS = 100_000  # rows kept from a data set; larger uploads are sampled, saying so
MAX_LAB_ROWS = 5000  # rows the lab trains on from an upload (sampled, saying so)
MAX_ABS_VALUE = 1e12  # rows with larger magnitudes are left out, saying so (squares overflow)
MAX_UPLOAD_BYTES = 20 * 1024 * 1024  # also set as server.maxUploadSize in .streamlit/config.toml
MAX_COLUMNS = 300  # a wider header is refused before pandas parses anything
MAX_HEADER_BYTES = 64 * 1024  # the first line may be no longer than this
SEPARATORS = ",;\t|"  # what the separator may be (a sniffer allowed letters: "only" split on "y")


@dataclass(frozen=True)
class Note:
    """A message for the user about what was done to their data (catalogue key + params)."""

    key: str
    params: tuple[tuple[str, object], ...] = ()

    @property
    def kwargs(self) -> dict[str, object]:
        return dict(self.params)


@dataclass(frozen=True, eq=False)
class Dataset:
    """Paired samples for y' = w·x + b.

    Attributes
    ----------
    x, y : np.ndarray
        float64 arrays of shape (N,).
    notes : tuple of Note
        What happened on the way (rows dropped, rows sampled).
    names : tuple of str
        What x and y are called: an uploaded table's column names.
    """

    x: np.ndarray  # (N,)
    y: np.ndarray  # (N,)
    notes: tuple[Note, ...] = field(default=())
    names: tuple[str, str] = ("x", "y")

    def __len__(self) -> int:
        return int(self.x.shape[0])


def classic() -> Dataset:
    """The classroom data x = [1, 2, 3], y = [2, 4, 6] (true w = 2, b = 0)."""
    return Dataset(np.array([1.0, 2.0, 3.0]), np.array([2.0, 4.0, 6.0]))


def noisy_line(w: float = 0.1, b: float = 0.2, sigma: float = 0.01, n: int = 100, seed: int = 0):
    """x ~ U(0, 1), y = w·x + b + N(0, sigma²), with ``n`` samples from ``seed``.

    The defaults are the curriculum's noisy variant.
    """
    if not 2 <= n <= MAX_ROWS:
        raise UserError("err_rows_range", low=2, high=MAX_ROWS)
    rng = np.random.default_rng(seed)
    x = rng.uniform(0.0, 1.0, n)
    y = w * x + b + rng.normal(0.0, sigma, n)
    return Dataset(x, y)


def read_csv(raw: bytes, min_columns: int = 2) -> pd.DataFrame:
    """Parse uploaded bytes into a frame of the numeric columns (at least ``min_columns``: two
    for x and y, one for a series).

    Cells that are not numbers become NaN; infinities and magnitudes above ``MAX_ABS_VALUE``
    become ±inf (numbers, but too large to use: :func:`complete_rows` says which it left out
    and why); columns with no number at all are dropped.

    Raises
    ------
    UserError
        If the file is too large, empty, not a table, or has fewer than ``min_columns``
        numeric columns.
    """
    if len(raw) > MAX_UPLOAD_BYTES:
        raise UserError("err_csv_too_large", mb=MAX_UPLOAD_BYTES // 2**20)
    raw = _from_utf16(raw)
    if not raw.strip():
        raise UserError("err_csv_empty")
    if raw.startswith(BINARY_SIGNATURES):
        raise UserError("err_csv_binary")
    if _binary(raw):  # text with a NUL byte: no spreadsheet, but not a table either
        line = raw[: raw.index(b"\x00")].count(b"\n") + 1
        raise UserError("err_csv_nul", line=line)
    sep = _separator(raw)
    numeric, names = _numeric_columns(raw, sep, ".")
    if sep != ",":  # 3,14 with a decimal comma (Excel in many locales, ";" between fields)?
        with_commas, _ = _numeric_columns(raw, sep, ",")
        if _numbers_in(with_commas) > _numbers_in(numeric):
            numeric = with_commas
    if len(numeric) < min_columns:
        key = "err_csv_two_numeric" if min_columns == 2 else "err_csv_one_numeric"
        raise UserError(key, found=len(numeric), columns=len(names))
    frame = pd.DataFrame(numeric)
    # (a column of text, "=1+i" or names, is no x or y: the view says it left it out)
    frame.attrs["left_out"] = [name for name in names if name not in numeric]
    return frame


def left_out(frame: pd.DataFrame) -> list[str]:
    """The names of the columns of a table ``read_csv`` left out: they hold no number."""
    return list(frame.attrs.get("left_out", ()))


def _numbers_in(columns: dict[str, np.ndarray]) -> int:
    return sum(int((~np.isnan(v)).sum()) for v in columns.values())


def _from_utf16(raw: bytes) -> bytes:
    """Text saved as UTF-16 with its byte-order mark (a spreadsheet's "Unicode text": tabs
    between fields) as UTF-8: its NUL bytes made it look like a binary file."""
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return raw.decode("utf-16").encode("utf-8")
        except UnicodeDecodeError:
            raise UserError("err_csv_binary") from None
    return raw


BINARY_SIGNATURES = (b"PK\x03\x04", b"\xd0\xcf\x11\xe0", b"%PDF", b"\x89PNG", b"\xff\xd8\xff")


def _binary(raw: bytes) -> bool:
    """Whether the bytes are a file that is not text: a spreadsheet (.xlsx is a zip, .xls an
    OLE file), a PDF, an image, or anything with NUL bytes near its start (text has none)."""
    return raw.startswith(BINARY_SIGNATURES) or b"\x00" in raw[:8192]


def complete_rows(values: np.ndarray) -> tuple[np.ndarray, tuple[Note, ...]]:
    """Which rows of a table's columns (as :func:`read_csv` gives them) can be used, and notes
    on those left out: rows with a cell that is not a number, and rows with a number too large.

    Parameters
    ----------
    values : ndarray, shape (N, k)
        NaN where a cell is not a number, ±inf where it is beyond ``MAX_ABS_VALUE``.

    Returns
    -------
    keep : ndarray of bool, shape (N,)
    notes : tuple of Note
    """
    missing = np.isnan(values).any(axis=1)  # (N,)
    too_large = ~missing & ~np.isfinite(values).all(axis=1)  # (N,)
    notes = []
    if missing.any():
        notes.append(Note("note_rows_dropped", (("dropped", int(missing.sum())),)))
    if too_large.any():
        notes.append(Note("note_rows_too_large", (("dropped", int(too_large.sum())),)))
    return ~missing & ~too_large, tuple(notes)


@dataclass(frozen=True)
class Unreadable:
    """Why pandas could not read a table, said in the student's language (never pandas's
    English: "Error tokenizing data. C error: Expected 2 fields in line 3, saw 3")."""

    message: str

    def in_language(self, lang: str) -> str:
        found = re.search(r"Expected (\d+) fields in line (\d+), saw (\d+)", self.message)
        if found:
            expected, line, saw = found.groups()
            return t("err_csv_fields", lang, line=line, saw=saw, expected=expected)
        return t("err_csv_malformed", lang)


def _numeric_columns(raw: bytes, sep: str, decimal: str) -> tuple[dict[str, np.ndarray], list[str]]:
    """The columns of the table that hold numbers (as float64: NaN where a cell is not a
    number, ±inf where it is beyond MAX_ABS_VALUE), and the names of its columns with a cell."""
    try:
        frame = pd.read_csv(
            io.BytesIO(raw), encoding_errors="replace", sep=sep, decimal=decimal, engine="c"
        )
    except pd.errors.EmptyDataError:
        raise UserError("err_csv_empty") from None
    except (pd.errors.ParserError, ValueError, UnicodeError, csv.Error) as exc:
        raise UserError("err_csv_unreadable", detail=Unreadable(str(exc))) from None
    if frame.shape[0] == 0:
        raise UserError("err_csv_no_rows")
    numeric = {}
    for name in frame.columns:
        values = _numbers(frame[name])
        if not np.isfinite(values).any():  # (text, or a column of "inf")
            continue
        too_large = np.abs(values) > MAX_ABS_VALUE  # (±inf included; NaN compares False)
        values[too_large] = np.copysign(np.inf, values[too_large])
        numeric[str(name)] = values
    # (every column with a cell in it: not one pandas names "Unnamed: 2" after a trailing comma)
    return numeric, [str(name) for name in frame.columns if frame[name].notna().any()]


def _separator(raw: bytes) -> str:
    """The separator of the header line, checked before pandas sees the file.

    The work is bounded whatever the file's shape: only the first line is read (at most
    ``MAX_HEADER_BYTES``), and a header of more than ``MAX_COLUMNS`` fields is refused. (pandas'
    own sniffing parser took 60 s for a 280 KB header of 70,000 columns named "a".)
    """
    end = raw.find(b"\n", 0, MAX_HEADER_BYTES + 1)
    if end < 0 and len(raw) > MAX_HEADER_BYTES:
        raise UserError("err_csv_header", kb=MAX_HEADER_BYTES // 1024, high=MAX_COLUMNS)
    header = (raw[: end if end >= 0 else len(raw)].decode("utf-8", "replace").splitlines() or [""])[
        0
    ]
    counts = {sep: header.count(sep) for sep in SEPARATORS}
    sep = max(counts, key=lambda k: counts[k]) if any(counts.values()) else ","
    try:
        fields = len(next(csv.reader([header], delimiter=sep), []))
    except csv.Error:  # (a stray NUL or quote: pandas will say what is wrong with the file)
        fields = header.count(sep) + 1
    if fields > MAX_COLUMNS:
        raise UserError("err_csv_header", kb=MAX_HEADER_BYTES // 1024, high=MAX_COLUMNS)
    return sep


def _to_float(value: object) -> float:
    try:
        return float(value)
    except (TypeError, ValueError, OverflowError):
        return np.nan


def _numbers(column: pd.Series) -> np.ndarray:
    """A column as float64, with anything that is not a number as NaN."""
    try:
        return np.array(pd.to_numeric(column, errors="coerce"), dtype=np.float64)
    except OverflowError:  # an integer beyond float's range: convert cell by cell
        return np.array([_to_float(v) for v in column], dtype=np.float64)


def from_columns(frame: pd.DataFrame, x_col: str, y_col: str, seed: int = 0) -> Dataset:
    """Pick two numeric columns as x and y, dropping incomplete rows and sampling big files.

    Raises
    ------
    UserError
        If a column is missing or fewer than two complete rows remain.
    """
    for col in (x_col, y_col):
        if col not in frame.columns:
            raise UserError("err_csv_no_column", column=col)
    keep, dropped = complete_rows(frame[[x_col, y_col]].to_numpy(dtype=np.float64))
    notes = list(dropped)
    x = frame[x_col].to_numpy(dtype=np.float64)[keep]
    y = frame[y_col].to_numpy(dtype=np.float64)[keep]
    if x.shape[0] < 2:
        raise UserError("err_csv_too_few_rows", rows=int(x.shape[0]))
    if x.shape[0] > MAX_ROWS:
        idx = np.sort(np.random.default_rng(seed).choice(x.shape[0], MAX_ROWS, replace=False))
        notes.append(Note("note_rows_sampled", (("kept", MAX_ROWS), ("total", int(x.shape[0])))))
        x, y = x[idx], y[idx]
    return Dataset(x, y, tuple(notes), (str(x_col), str(y_col)))


SOURCES = ("classic", "noisy", "csv")


@dataclass(frozen=True)
class DataConfig:
    """Which data set to build: the classic points, a seeded noisy line, or an uploaded CSV.

    For ``source="csv"`` the columns are picked with :func:`from_columns`; the other fields
    describe the noisy line (true w, true b, noise σ, number of points, seed).
    """

    source: str = "classic"
    w: float = 0.1
    b: float = 0.2
    sigma: float = 0.01
    n: int = 100
    seed: int = 0

    def __post_init__(self) -> None:
        if self.source not in SOURCES:
            raise UserError("err_unknown_source", name=self.source)

    def build(self) -> Dataset:
        """The data set (not for ``csv``, which needs the uploaded table)."""
        if self.source == "noisy":
            return noisy_line(self.w, self.b, self.sigma, self.n, self.seed)
        return classic()


# ---------------------------------------------------------------- series for the EWA view

SERIES = ("temperature", "walk", "step", "csv", "race")
MAX_SERIES = 100_000


def series_from_column(frame: pd.DataFrame, column: str) -> tuple[np.ndarray, tuple[Note, ...]]:
    """An uploaded column as a series: its usable values in file order (at most
    ``MAX_SERIES``), and notes on what was left out.

    Raises
    ------
    UserError
        If the column is missing or fewer than two values remain.
    """
    if column not in frame.columns:
        raise UserError("err_csv_no_column", column=column)
    values = frame[column].to_numpy(dtype=np.float64)  # (N,)
    keep, notes = complete_rows(values[:, None])
    values = values[keep]
    if values.size < 2:
        raise UserError("err_csv_too_few_rows", rows=int(values.size))
    if values.size > MAX_SERIES:
        notes += (Note("note_series_cut", (("kept", MAX_SERIES), ("total", int(values.size)))),)
        values = values[:MAX_SERIES]
    return values, notes


def temperatures(days: int = 365, noise: float = 3.0, seed: int = 0) -> np.ndarray:
    """Daily temperatures over a year (°C): a seasonal cosine plus seeded Gaussian noise."""
    t = np.arange(days)
    rng = np.random.default_rng(seed)
    return 20.0 - 8.0 * np.cos(2 * np.pi * (t - 15) / 365.0) + rng.normal(0.0, noise, days)


def random_walk(n: int = 365, noise: float = 1.0, seed: int = 0) -> np.ndarray:
    """A seeded Gaussian random walk starting at 0."""
    return np.cumsum(np.random.default_rng(seed).normal(0.0, noise, n))


def step_change(
    n: int = 365, noise: float = 1.0, seed: int = 0, size: float = 10.0, base: float = 10.0
) -> np.ndarray:
    """A noisy level ``base`` that jumps by ``size`` a third of the way in: shows the lag.

    The level starts away from 0, so an average started at v₀ = 0 visibly dips at first
    (and bias correction visibly removes the dip).
    """
    level = np.where(np.arange(n) < n // 3, base, base + size)
    return level + np.random.default_rng(seed).normal(0.0, noise, n)


# ---------------------------------------------------------------- data for the overfitting lab

TASKS = ("sine", "moons", "circles", "spirals", "xor")


@dataclass(frozen=True)
class TaskConfig:
    """A generated learning task and its split into train / validation / test.

    Attributes
    ----------
    task : one of TASKS
        "sine" is 1-D regression of a noisy sine; the others are 2-D binary classification.
    n : int
        Number of points in all (few points make an over-sized network overfit).
    noise : float
        σ of the noise on y (sine) or on the point positions (classification).
    label_noise : float
        Fraction of classification labels flipped at random.
    val, test : float
        Fractions of the points held out for validation and for the test.
    seed : int
    """

    task: str = "sine"
    n: int = 40
    noise: float = 0.3
    label_noise: float = 0.05
    val: float = 0.25
    test: float = 0.25
    seed: int = 0

    def __post_init__(self) -> None:
        if self.task not in TASKS:
            raise UserError("err_unknown_task", name=self.task)
        if not 12 <= self.n <= 5000:
            raise UserError("err_task_n", low=12, high=5000)
        if not (
            0.05 <= self.val <= 0.6 and 0.05 <= self.test <= 0.6 and self.val + self.test <= 0.8
        ):
            raise UserError("err_split")


@dataclass(frozen=True, eq=False)
class Split:
    """Arrays of one task: ``x`` (N, d) float32, ``y`` (N,) (float targets or int classes),
    and index arrays of the train, validation and test points."""

    x: np.ndarray
    y: np.ndarray
    train: np.ndarray
    val: np.ndarray
    test: np.ndarray
    classes: int  # 0 for regression


def make_task(config: TaskConfig) -> Split:
    """Generate the points of ``config`` and split them with its seed."""
    rng = np.random.default_rng(config.seed)
    n = config.n
    if config.task == "sine":
        x = rng.uniform(-np.pi, np.pi, (n, 1))
        y = np.sin(x[:, 0]) + rng.normal(0.0, config.noise, n)
        classes = 0
    else:
        x, y = _classification(config.task, n, rng)
        x = x + rng.normal(0.0, config.noise, x.shape)
        flip = rng.random(n) < config.label_noise
        y = np.where(flip, 1 - y, y)
        classes = 2
    return split_arrays(x, y, classes, config.val, config.test, rng)


def split_arrays(
    x: np.ndarray, y: np.ndarray, classes: int, val: float, test: float, rng: np.random.Generator
) -> Split:
    """Shuffle N points with ``rng`` and cut them into train / validation / test."""
    n = x.shape[0]
    order = rng.permutation(n)
    n_val, n_test = max(MIN_HELD_OUT, round(val * n)), max(MIN_HELD_OUT, round(test * n))
    val_idx, test_idx, train_idx = (
        order[:n_val],
        order[n_val : n_val + n_test],
        order[n_val + n_test :],
    )
    if len(train_idx) < MIN_TRAIN:  # (the table's check is for the smallest split)
        raise UserError("err_split_too_few_rows", rows=int(n), need=n_val + n_test + MIN_TRAIN)
    y = y.astype(np.float32 if classes == 0 else np.int64)
    return Split(
        x.astype(np.float32), y, np.sort(train_idx), np.sort(val_idx), np.sort(test_idx), classes
    )


def lab_columns(frame: pd.DataFrame) -> tuple[tuple[str, ...], str]:
    """The lab's first guess at an uploaded table's features and target: a column of 0s and
    1s (the last such) is the classes, on the first two other columns (classification); else
    the last column on the first (regression). The student can change both."""
    cols = list(frame.columns)
    binary = [c for c in cols if set(np.unique(frame[c].dropna()).tolist()) == {0.0, 1.0}]
    if binary and len(cols) >= 3:
        target = binary[-1]
        return tuple(c for c in cols if c != target)[:2], target
    return tuple(cols[:1]), cols[-1]


MIN_HELD_OUT = 2  # rows a split keeps at least for validation, and as many for the test
MIN_TRAIN = 4  # rows a split keeps at least to train on
LAB_MIN_ROWS = 2 * MIN_HELD_OUT + MIN_TRAIN  # complete rows the smallest lab split needs


def check_lab_table(frame: pd.DataFrame) -> None:
    """Refuse an uploaded table in which no feature and target (two distinct columns) have
    LAB_MIN_ROWS complete rows together: such a file was kept, in place of the last good one,
    and the lab then showed only "Only 1 complete row(s)" and no Train (a fresh-eyes
    teacher). A file with one sparse column is not refused: the student picks others."""
    values = frame.to_numpy(dtype=np.float64)  # (N, C)
    usable = (np.isfinite(values) & (np.abs(values) <= MAX_ABS_VALUE)).astype(np.int64)
    together = usable.T @ usable  # (C, C): rows complete in both columns
    np.fill_diagonal(together, 0)  # (a feature is not its own target)
    rows = int(together.max()) if together.size else 0
    if rows < LAB_MIN_ROWS:
        raise UserError("err_split_too_few_rows", rows=rows, need=LAB_MIN_ROWS)


def task_from_table(
    frame: pd.DataFrame,
    features: list[str],
    target: str,
    val: float = 0.25,
    test: float = 0.25,
    seed: int = 0,
) -> tuple[Split, tuple[Note, ...]]:
    """A lab task from an uploaded table: one feature and a numeric target (regression), or two
    features and a 0/1 target (classification). Incomplete rows are dropped, big files sampled.
    """
    missing = [c for c in (*features, target) if c not in frame.columns]
    if missing:
        raise UserError("err_csv_no_column", column=missing[0])
    values = frame[[*features, target]].to_numpy(dtype=np.float64)
    keep, dropped = complete_rows(values)
    notes = list(dropped)
    values = values[keep]
    rng = np.random.default_rng(seed)
    if len(values) > MAX_LAB_ROWS:
        notes.append(Note("note_rows_sampled", (("kept", MAX_LAB_ROWS), ("total", len(values)))))
        values = values[np.sort(rng.choice(len(values), MAX_LAB_ROWS, replace=False))]
    x, y = values[:, :-1], values[:, -1]
    labels = set(np.unique(y).tolist())
    if len(features) == 1:
        classes = 0
    elif len(features) == 2 and labels <= {0.0, 1.0} and len(labels) == 2:
        classes = 2
    else:
        raise UserError("err_lab_csv_shape")
    return split_arrays(x, y, classes, val, test, rng), tuple(notes)


def _classification(task: str, n: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    y = (np.arange(n) % 2).astype(np.int64)
    rng.shuffle(y)
    u = rng.uniform(0.0, 1.0, n)
    if task == "moons":
        angle = np.pi * u
        x = np.where(
            y[:, None] == 0,
            np.c_[np.cos(angle), np.sin(angle)],
            np.c_[1 - np.cos(angle), 0.5 - np.sin(angle)],
        )
        return x - [0.5, 0.25], y
    if task == "circles":
        angle = 2 * np.pi * u
        radius = np.where(y == 0, 1.0, 0.5)
        return np.c_[radius * np.cos(angle), radius * np.sin(angle)], y
    if task == "spirals":
        turn = 0.5 + 2.5 * u
        angle = turn * 2 * np.pi / 2.5 + np.pi * y
        return 0.4 * turn[:, None] * np.c_[np.cos(angle), np.sin(angle)], y
    x = rng.uniform(-1.0, 1.0, (n, 2))  # xor
    return x, ((x[:, 0] > 0) ^ (x[:, 1] > 0)).astype(np.int64)
