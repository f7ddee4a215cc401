"""How often the journal's flags fire for a stable person, and how soon they catch a real
change: seeded simulated diaries (tests/support/diaries.py), the journal's own flag rules.

* False alarms: stable diaries (one rating a day, whole numbers around 4 with SD 1;
  episodes Poisson at 0.3 a day), weeks 4 to 11 of logging: in what share of weeks
  "worsening" and "more often" are shown on at least one day.
* Detection: six stable weeks, then a sustained rise (ratings +1.0, +1.5, +2.0; episodes
  2x, 3x): in what share of diaries the flag is shown within 14 days of the rise.
* What seems to help: pure-noise diaries (90 days, every factor, two routines, tags) with
  any line shown; a planted +2 on days with 3 or more caffeine drinks over 40 days found.

Run: python bench/care_flags_noise.py [DIARIES]   (default 2000)
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from support.diaries import detections, false_alarms, help_diary, helps_of


def main() -> None:
    diaries = int(sys.argv[1]) if len(sys.argv) > 1 else 2000
    began = time.perf_counter()
    rates = false_alarms(seed=1022, diaries=diaries)
    print(f"stable diaries: {diaries}, weeks: {rates.weeks}")
    print("| flag | weeks with a false alarm |")
    print("| --- | --- |")
    print(f"| worsening | {rates.worsening:.1%} ({rates.worsening_weeks} of {rates.weeks}) |")
    print(f"| more often | {rates.more_often:.1%} ({rates.more_often_weeks} of {rates.weeks}) |")
    print()
    print("| change after six stable weeks | worsening within 14 days "
          "| more often within 14 days |")
    print("| --- | --- | --- |")
    for rise, factor in ((1.0, 1.0), (1.5, 1.0), (2.0, 1.0), (0.0, 2.0), (0.0, 3.0)):
        found = list(detections(seed=2022, diaries=diaries // 2, rise=rise,
                                episode_factor=factor))
        worse = sum(w for w, _ in found) / len(found)
        more = sum(m for _, m in found) / len(found)
        print(f"| ratings +{rise:g}, episodes x{factor:g} | {worse:.1%} | {more:.1%} |")
    print()
    rng = np.random.default_rng(3022)
    runs = diaries // 4
    noise = sum(bool(helps_of(help_diary(rng, 90)).shown) for _ in range(runs))
    planted = sum(any("caffeine" in a.label and a.difference > 0
                      for a in helps_of(help_diary(rng, 40, caffeine_effect=2)).shown)
                  for _ in range(runs))
    print("| what seems to help | diaries with a line |")
    print("| --- | --- |")
    print(f"| pure noise, 90 days | {noise / runs:.1%} ({noise} of {runs}) |")
    print(f"| planted +2 on 3 or more caffeine drinks, 40 days | {planted / runs:.1%} "
          f"({planted} of {runs}) |")
    print(f"\n({time.perf_counter() - began:.0f} s)")


if __name__ == "__main__":
    main()
