"""Care guidance that more than one part of crampcoach says (one home for each sentence).

Guidance, not diagnosis; the reasons are in docs/routine-safety.md.
"""

from __future__ import annotations

#: The urgent tier: signs that need help now rather than a talk with the neurologist
#: later (a cramp that will not ease, a possible clot, a possible relapse, a possible
#: infection). Said calmly, after the red-flag advice and in the journal's report.
URGENT_HELP = (
    "Get help now, without waiting, if a cramp lasts over 10 minutes and will not ease, "
    "if a calf is swollen, red and warm, if new weakness comes on suddenly, "
    "or if spasms suddenly get much worse."
)
