"""A learning-rate schedule picker the views share: a schedule from torch.optim.lr_scheduler,
its settings (number inputs bound to the link) and its rule, keyed by a prefix."""

import bound
import charts
import compute
import streamlit as st
import widgets

from playground.figures import race as rf
from playground.i18n import t
from playground.schedules import AUTOMATIC, OURS, SCHEDULES, Schedule

Q = {"bind": "query-params"}


def picker(
    prefix: str,
    lang: str,
    lr: float,
    steps: int,
    where=None,
    per_epoch: bool = False,
    beside=None,
) -> Schedule | None:
    """The schedule chosen under widget keys ``{prefix}_sched`` and ``{prefix}_sched_<setting>``
    (None for a constant rate), its rule, and a small plot of η over the ``steps`` steps (or
    epochs) from ``lr``; ``per_epoch``: the training steps it once an epoch and may watch the
    validation loss (ReduceLROnPlateau, whose rates depend on the run: no plot).

    ``where``: the container of the choice and its settings (an expander); ``beside``: the
    container of the rule and the plot (the race's column beside each run), else the expander.
    """
    where = where or st
    names = [k for k, s in SCHEDULES.items() if per_epoch or not s.per_epoch_only]
    key = bound.choice(
        where.selectbox,
        t("sched_label", lang),
        names,
        f"{prefix}_sched",
        "constant",
        format_func=lambda k: t(f"sched_name_{k}", lang),
        help=t("sched_help_epochs" if per_epoch else "sched_help", lang),
    )
    if key == "constant":
        return None
    spec = SCHEDULES[key]
    values = {}
    expander = where.expander(t("sched_settings", lang), icon=":material/tune:")
    with expander:
        for s in spec.settings:
            k = f"{prefix}_sched_{s.name}"
            if s.kind == "int":
                low, high, default = int(s.low), int(s.high), int(s.default)
                value = st.number_input(
                    s.name,
                    low,
                    high,
                    step=1,
                    key=k,
                    help=setting_help(s, lang, key),
                    **bound.initial(k, default),
                    **Q,
                )
            else:
                value = st.number_input(
                    s.name,
                    float(s.low),
                    float(s.high),
                    format="%g",
                    key=k,
                    help=setting_help(s, lang, key),
                    **bound.initial(k, float(s.default)),
                    **Q,
                )
            values[s.name] = value
    schedule = Schedule(key, tuple(values.items()))
    with beside if beside is not None else expander:
        st.latex(spec.latex)
        if not spec.per_epoch_only:
            with widgets.guarded(lang):  # (settings torch refuses: said, and no plot)
                rates = compute.lr_sequence(schedule, lr, steps)
                unit = "axis_epoch" if per_epoch else "slider_step"
                figure = rf.schedule_figure(rates, lang, unit, spec.multiplies)
                charts.chart(figure, f"{prefix}_sched_fig", shared=False, share=0.5)
    return schedule


def setting_help(setting, lang: str, schedule: str = "") -> str:
    """A schedule setting's help: what it does, then its range and default — torch's, or where
    torch has none the playground's (0 for a setting chosen from the run)."""
    rule = t(f"sched_set_{setting.name}", lang)
    key = "race_setting_help"
    if setting.name in AUTOMATIC and setting.default == 0:
        key = "sched_default_auto"
    elif (schedule, setting.name) in OURS:
        key = "sched_default_ours"
    low, high, default = (f"{v:g}" for v in (setting.low, setting.high, setting.default))
    return f"{rule} {t(key, lang, low=low, high=high, default=default)}"
