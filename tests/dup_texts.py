"""Small hand-written texts for the duplicate tests (no shared data needed).

ORIGINAL is a short guide in five paragraphs; the other texts are its identical copy,
an edited copy, a reordered copy and a paraphrase written by hand, plus two pages of one
template and an overview page with its sections, which are *not* duplicates.
"""

from __future__ import annotations

import random

ORIGINAL_PARAS = [
    "Before a long ride, check the tyre pressure with a gauge rather than by squeezing the "
    "tyre with your thumb. Road tyres usually want between six and eight bar, while wider "
    "touring tyres run happily at four or five. A tyre that is too soft wears quickly at the "
    "edges and makes the bicycle feel slow and heavy on every climb.",
    "The chain needs cleaning far more often than most riders think. Wipe it with a dry rag "
    "after every wet ride, and every few weeks scrub it with a brush and a little degreaser. "
    "Let it dry completely, then put one small drop of oil on each roller and wipe away "
    "whatever is left on the outside of the links.",
    "Brake pads are cheap and the rims or discs they protect are not. Look at the pads once a "
    "month: most have grooves that vanish when the pad is worn out. If the lever travels much "
    "further than it used to before the brake bites, adjust the cable tension with the barrel "
    "at the lever until the pads grip firmly again.",
    "Gears that skip or hesitate are almost always a matter of cable tension. Shift to the "
    "smallest rear cog, then turn the barrel adjuster a quarter turn at a time while you "
    "change up through the gears. When every shift is quick and quiet, stop turning; the "
    "limit screws rarely need to be touched at all.",
    "Finally, keep a small saddle bag with a spare inner tube, two tyre levers, a compact "
    "pump and a multi tool. A puncture twenty kilometres from home is a ten minute "
    "inconvenience with these, and a long walk without them. Replace the spare tube as soon "
    "as you use it, so the kit is always complete.",
]

PARAPHRASE_PARAS = [
    "Ahead of any lengthy trip by bike, measure how hard your tyres are pumped using a "
    "proper gauge; pressing them with a finger is not reliable. Narrow road tyres are "
    "normally inflated to roughly six to eight bar, whereas broader touring tyres are fine "
    "at four to five. Under-inflated tyres wear out fast along their sides and make the "
    "machine sluggish and hard work uphill.",
    "Most cyclists clean their chain much less frequently than they ought to. After riding "
    "in the rain, rub it down with a dry cloth, and every couple of weeks give it a proper "
    "scrub using a brush and some degreasing fluid. Wait until it is fully dry, apply a "
    "single tiny drop of lubricant to every roller and then wipe the excess off the outer "
    "plates.",
    "Replacing brake pads costs little, unlike the wheel rims or rotors that they "
    "protect. Inspect them monthly; the majority have channels that disappear once the "
    "pad has reached the end of its life. Should the lever move a lot further than before "
    "the brakes engage, tighten the cable using the barrel adjuster by the lever until the "
    "pads bite hard once more.",
    "When the gears jump or are slow to change, the cause is nearly always how tight the "
    "cable is. Select the smallest sprocket at the back, then rotate the barrel adjuster "
    "by quarter turns as you move up through the range. Once each change is fast and "
    "silent, leave it alone; you will seldom need to alter the limit screws.",
    "Lastly, carry a little bag under the saddle holding a spare inner tube, a pair of tyre "
    "levers, a small pump and a multi tool. With them, a flat tyre twenty kilometres from "
    "home costs you ten minutes; without them, it means a long walk. As soon as you have "
    "used the spare tube, buy another so the kit stays complete.",
]

ORIGINAL = "\n\n".join(ORIGINAL_PARAS) + "\n"
PARAPHRASE = "\n\n".join(PARAPHRASE_PARAS) + "\n"


def edited(text: str, share: float = 0.05, seed: int = 7) -> str:
    """A copy with ``share`` of its words replaced by other words."""
    rng = random.Random(seed)
    tokens = text.split(" ")
    fillers = ["really", "simply", "often", "quite", "also", "still", "always", "rather"]
    plain = [i for i, t in enumerate(tokens) if "\n" not in t]
    for i in rng.sample(plain, max(1, int(len(tokens) * share))):
        tokens[i] = rng.choice(fillers)
    return " ".join(tokens)


def reordered(paras: list[str], seed: int = 3) -> str:
    order = list(range(len(paras)))
    random.Random(seed).shuffle(order)
    if order == sorted(order):
        order.reverse()
    return "\n\n".join(paras[i] for i in order) + "\n"


_TEMPLATE = """{name} objects

A {name} is a {what}. This page describes the {name} type and the functions that work on it.

Creating a {name}: call {name}() with {args}. The result is {result}. Passing anything
else raises TypeError, and the message names the argument that was wrong.

Methods: {name}.count(value) returns how many times value occurs in the {name}.
{name}.index(value) returns the position of the first occurrence, and raises ValueError
when value is not present.

Performance: {perf}

See also: the glossary entry for sequence, and the tutorial chapter on data structures.
"""

TEMPLATE_A = _TEMPLATE.format(
    name="tally",
    what="mutable sequence of counters that grows when new keys are added and never shrinks "
    "unless it is cleared explicitly",
    args="an iterable of keys, or with keyword arguments that give each key a starting count",
    result="a fresh tally whose counters start at the given values and default to zero",
    perf="adding a key takes constant time on average; clearing the tally releases its "
    "memory at once; iterating visits the keys in the order they were first added, which "
    "makes tallies handy for reports that must list items in arrival order.",
)
TEMPLATE_B = _TEMPLATE.format(
    name="ring",
    what="fixed size circular buffer that overwrites its oldest element once it is full, "
    "so memory use stays bounded however long it runs",
    args="a capacity in elements and, optionally, an iterable used to fill it from the start",
    result="a ring buffer of that capacity holding the last elements of the iterable",
    perf="appending is constant time, reading the newest element is constant time, and "
    "resizing copies every element into a new buffer, so choose the capacity up front "
    "when you can; rings suit logs, sensor readings and undo histories.",
)

SECTIONS = {
    "tyres.txt": ORIGINAL_PARAS[0],
    "chain.txt": ORIGINAL_PARAS[1],
    "brakes.txt": ORIGINAL_PARAS[2],
    "gears.txt": ORIGINAL_PARAS[3],
}
OVERVIEW = """Looking after your bicycle

This guide has four sections.

1. Tyres: checking tyre pressure and why it matters on long rides.
2. Chain: cleaning and oiling the chain.
3. Brakes: brake pads, wear grooves and cable tension.
4. Gears: indexing the gears with the barrel adjuster.

Each section stands on its own; read the one you need.
"""

UNRELATED = """The county library opens at nine on weekdays and at ten on Saturdays. Members
can borrow up to twelve items at once, for three weeks, and renew them twice online unless
another reader has reserved them. The reading room on the first floor is quiet; group study
rooms can be booked at the front desk for up to two hours. Printing costs ten pence a page.
"""
