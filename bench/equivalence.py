"""Proof that an engine change leaves every answer as it was: the same lines evaluated by the
engine of another commit and by this tree must agree on display, stored text, value,
interpretation, shadowing and error (type, message and span).

Run from the repository root: `python bench/equivalence.py [--against COMMIT] [--random N]`.
The corpus is every string in the engine's test modules and benchmarks, then N seeded random
lines (numbers, units, functions, conversions, formats, percent, assignments, typos and token
soup). Each side runs in its own process, in sessions of a few dozen lines (so variables, `ans`
and shadowing flow from line to line), half of them in degrees; each line is evaluated once
committed and once more as a preview (the parse cache's path).
"""

from __future__ import annotations

import argparse
import ast
import json
import random
import subprocess
import sys
import tarfile
import tempfile
from io import BytesIO
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# Files whose string literals are lines worth checking: the engine's tests and benchmarks.
SOURCES = [
    *sorted((ROOT / "tests" / "engine").glob("test_*.py")),
    ROOT / "tests" / "test_exactness.py",
    ROOT / "tests" / "test_units_stored.py",
    ROOT / "bench" / "engine.py",
    ROOT / "bench" / "expressions.py",
]
# Lines each session starts with: a quantity, numbers, a fraction, variables named like units.
SETUP = ["d = 42 km", "x = 3", "y = 1/3", "m = 2", "t = 5 s", "z = 0.1", "1 + 1"]
SESSION_LINES = 40
# Longer strings in the tests are limit cases (repeated text), kept but not multiplied.
MAX_LINE = 1200


def corpus(random_lines: int, seed: int) -> list[str]:
    """The test and benchmark strings, then `random_lines` generated ones."""
    lines: list[str] = []
    seen: set[str] = set()
    for path in SOURCES:
        if not path.exists():
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                text = node.value
                if text not in seen and len(text) <= MAX_LINE and "\n" not in text:
                    seen.add(text)
                    lines.append(text)
    lines += _Generator(seed).lines(random_lines)
    return lines


class _Generator:
    """Seeded random calculator lines: mostly well-formed, some broken on purpose."""

    def __init__(self, seed: int) -> None:
        from calculator.engine.functions import ARITY
        from calculator.engine.units import UNIT_NAMES

        self.rng = random.Random(seed)
        self.functions = sorted(ARITY)
        self.common_units = [unit for family in _FAMILIES for unit in family] + [
            "N",
            "Hz",
            "A",
            "V",
            "Ω",
            "mol",
            "cd",
            "nm",
            "mph",
            "kΩ",
        ]
        self.all_units = sorted(UNIT_NAMES)

    def lines(self, count: int) -> list[str]:
        out = []
        for _ in range(count):
            roll = self.rng.random()
            if roll < 0.08:
                out.append(self.soup())
            elif roll < 0.5:
                out.append(self.coherent())
            else:
                line = self.line()
                if roll < 0.16:
                    line = self.typo(line)
                out.append(line)
        return out

    def line(self) -> str:
        rng = self.rng
        text = self.expression(3)
        roll = rng.random()
        if roll < 0.35:
            text += rng.choice([" to ", " -> ", " → ", " to ", "to "]) + self.target()
        if rng.random() < 0.12:
            name = rng.choice(["x", "y", "d", "v", "m", "km", "h", "pi", "sin", "ans"])
            text = f"{name} = {text}"
        return text

    def coherent(self) -> str:
        """A line whose units fit together, so it mostly has an answer."""
        rng = self.rng
        family = rng.choice(_FAMILIES)

        def amount(units: list[str] = family) -> str:
            return f"{self.number()}{rng.choice([' ', ' ', ''])}{rng.choice(units)}"

        roll = rng.random()
        if roll < 0.3:
            text = amount()
        elif roll < 0.55:
            text = amount() + "".join(
                rng.choice([" + ", " - "]) + amount() for _ in range(rng.randint(1, 3))
            )
        elif roll < 0.7:
            per, over, into = rng.choice(_RATES)
            text = f"{amount(per)} / {amount(over)}"
            return text + (f" to {rng.choice(into)}" if rng.random() < 0.7 else "")
        elif roll < 0.8:
            name = rng.choice(["min", "max", "hypot", "abs", "round", "floor", "sqrt", "sin"])
            text = f"{name}({', '.join(amount() for _ in range(rng.choice([1, 1, 2, 3])))})"
        elif roll < 0.9:
            percent = f"{rng.choice(['5', '10', '12.5', '50', '150'])}%"
            text = rng.choice(
                [
                    f"{amount()} + {percent}",
                    f"{amount()} - {percent}",
                    f"{percent} of {amount()}",
                    f"{amount()} * {self.number()}",
                    f"{amount()} / {self.number()}",
                    f"({amount()})^2",
                    f"-{amount()}",
                    f"{amount()} mod {amount()}",
                ]
            )
        else:
            text = f"{amount()} * {amount()}" if rng.random() < 0.5 else f"{amount()}/{amount()}"
        if rng.random() < 0.6:
            text += rng.choice([" to ", " -> ", " to "]) + rng.choice(family)
        if rng.random() < 0.1:
            text = rng.choice(["v", "w", "d", "dist"]) + " = " + text
        return text

    def target(self) -> str:
        rng = self.rng
        roll = rng.random()
        if roll < 0.15:
            return rng.choice(["hex", "bin", "oct", "frac", "fraction", "sci", "base 7", "base 36"])
        if roll < 0.2:
            return rng.choice(["base 1", "base x", "", "2", "1/s", "(m/s)^2", "m^0", "m^13"])
        return self.units()

    def unit(self) -> str:
        rng = self.rng
        name = rng.choice(self.common_units if rng.random() < 0.8 else self.all_units)
        if rng.random() < 0.15:
            name += f"^{rng.choice(['2', '3', '-1', '-2', '0', '1'])}"
        return name

    def units(self) -> str:
        rng = self.rng
        text = self.unit()
        for _ in range(rng.choice([0, 0, 0, 1, 1, 2])):
            text += rng.choice(["/", "*", " ", "·", "/"]) + self.unit()
        return text

    def number(self) -> str:
        rng = self.rng
        roll = rng.random()
        if roll < 0.45:
            return str(rng.choice([0, 1, 2, 3, 5, 10, 12, 60, 100, 255, 1000, 3600]))
        if roll < 0.6:
            return str(rng.randint(0, 10 ** rng.randint(1, 25)))
        if roll < 0.8:
            return f"{rng.randint(0, 999)}.{rng.randint(0, 99999):0{rng.randint(1, 5)}d}"
        return rng.choice(
            [
                ".5",
                "1e3",
                "2.5e-3",
                "1e−3",
                "1_000",
                "0x1F",
                "0b101",
                "0o17",
                "1e400",
                "9.81",
                "0.1",
                "0.3048",
                "273.15",
                "1e-20",
                "3.14159",
                "2e",
                "1.5e310",
                "7.",
            ]
        )

    def atom(self) -> str:
        rng = self.rng
        roll = rng.random()
        if roll < 0.35:
            return self.number()
        if roll < 0.65:
            space = rng.choice([" ", " ", ""])
            return self.number() + space + self.units()
        if roll < 0.8:
            return rng.choice(["x", "y", "d", "t", "z", "m", "ans", "pi", "e", "π", "τ", "phi"])
        if roll < 0.9:
            return self.unit()
        return rng.choice(["foo", "kmh", "meter", "i", "pir", "xy", "sinx", "min", "of"])

    def expression(self, depth: int) -> str:
        rng = self.rng
        if depth <= 0 or rng.random() < 0.3:
            return self.atom()
        roll = rng.random()
        if roll < 0.45:
            op = rng.choice(
                [
                    " + ",
                    " - ",
                    " * ",
                    " / ",
                    "*",
                    "/",
                    " mod ",
                    " ^ ",
                    "^",
                    " × ",
                    " ÷ ",
                    " − ",
                    " ⋅ ",
                    " ",
                ]
            )
            return self.expression(depth - 1) + op + self.expression(depth - 1)
        if roll < 0.65:
            name = rng.choice(self.functions)
            count = rng.choice([1, 1, 1, 2])
            args = ", ".join(self.expression(depth - 1) for _ in range(count))
            return f"{name}({args})"
        if roll < 0.75:
            return f"({self.expression(depth - 1)})"
        if roll < 0.85:
            return rng.choice(["-", "+", "√", "∛", "--"]) + self.expression(depth - 1)
        if roll < 0.95:
            return self.expression(depth - 1) + rng.choice(["!", "%", "%", "^2", "^-1", "^0.5"])
        percent = f"{rng.choice([5, 10, 15, 50, 200])}%"
        return rng.choice(
            [
                f"{percent} of {self.atom()}",
                f"{self.atom()} + {percent}",
                f"{self.atom()} - {percent}",
            ]
        )

    def typo(self, line: str) -> str:
        """One character deleted, doubled or replaced, or a stray one inserted."""
        rng = self.rng
        if not line:
            return "("
        at = rng.randrange(len(line))
        stray = rng.choice(list("()+-*/^=,.!%°_#$;@ 0a"))
        roll = rng.random()
        if roll < 0.3:
            return line[:at] + line[at + 1 :]
        if roll < 0.5:
            return line[:at] + line[at] + line[at:]
        if roll < 0.75:
            return line[:at] + stray + line[at + 1 :]
        return line[:at] + stray + line[at:]

    def soup(self) -> str:
        """Tokens in random order: the parser's error paths."""
        rng = self.rng
        pieces = [
            "1",
            "2.5",
            "km",
            "h",
            "to",
            "/",
            "*",
            "(",
            ")",
            "^",
            "-",
            "!",
            "%",
            "of",
            "=",
            "x",
            "sin",
            ",",
            "m",
            "s",
            "°C",
            "hex",
            "base",
            "3",
            "→",
            "√",
            "1e3",
            "mod",
        ]
        return rng.choice(["", " "]).join(rng.choice(pieces) for _ in range(rng.randint(1, 9)))


# Units of one kind each (sums and conversions among them have answers), and rates between them.
_FAMILIES = [
    ["m", "km", "cm", "mm", "ft", "in", "mi", "yd", "nmi", "µm", "um", "foot", "feet", "inch"],
    ["s", "ms", "h", "min", "d", "day", "week", "year", "µs", "hr", "hour", "month"],
    ["kg", "g", "lb", "oz", "t", "mg", "st", "lbs", "tonne"],
    ["mph", "kn", "kph", "km/h", "m/s", "ft/s", "knot"],
    ["J", "kJ", "kWh", "Wh", "cal", "kcal", "eV", "BTU", "N*m", "MJ"],
    ["W", "kW", "hp", "J/s", "MW"],
    ["Pa", "bar", "atm", "psi", "mmHg", "kPa", "hPa"],
    ["L", "mL", "gal", "cup", "floz", "m^3", "cm^3", "tsp", "tbsp", "qt", "pt", "l"],
    ["ha", "acre", "m^2", "km^2", "ft^2"],
    ["B", "kB", "MB", "GB", "KiB", "MiB", "GiB", "bit", "Mbit", "byte", "TB"],
    ["rad", "deg", "°", "arcmin", "arcsec", "turn"],
    ["K", "°C", "°F", "degC", "degF", "mK"],
]
_RATES = [
    (_FAMILIES[0], _FAMILIES[1], _FAMILIES[3]),
    (_FAMILIES[4], _FAMILIES[1], _FAMILIES[5]),
    (_FAMILIES[9], _FAMILIES[1], ["B/s", "MB/s", "Mbit/s", "kB/min"]),
    (_FAMILIES[7], _FAMILIES[0], _FAMILIES[8]),
    (_FAMILIES[10], _FAMILIES[1], ["rad/s", "deg/s", "turn/min"]),
]


def dump(lines: list[str]) -> list[list]:
    """Every line's outcome with the engine importable from sys.path, in sessions."""
    from calculator.engine import Session, evaluate

    records = []
    for first in range(0, len(lines), SESSION_LINES):
        session = Session(degrees=(first // SESSION_LINES) % 2 == 1)
        for text in SETUP:
            evaluate(text, session)
        for text in lines[first : first + SESSION_LINES]:
            records.append(_outcome(evaluate(text, session)))
            records.append(_outcome(evaluate(text, session, commit=False)))
    return records


def _outcome(result) -> list:
    error = result.error
    return [
        result.ok,
        result.display,
        result.stored,
        None if result.value is None else str(result.value),
        result.assigned,
        list(result.shadowed),
        result.interpretation,
        result.interpretation_differs,
        None if error is None else type(error).__name__,
        None if error is None else error.message,
        None if error is None or error.span is None else [error.span.start, error.span.end],
    ]


def _engine_of(commit: str, into: Path) -> Path:
    """The calculator package (engine only) as it is at `commit`, unpacked under `into`."""
    archive = subprocess.run(
        ["git", "archive", commit, "calculator/__init__.py", "calculator/engine"],
        cwd=ROOT,
        check=True,
        capture_output=True,
    ).stdout
    with tarfile.open(fileobj=BytesIO(archive)) as tar:
        tar.extractall(into, filter="data")
    return into


def _run_side(root: Path, corpus_file: Path) -> list[list]:
    output = subprocess.run(
        [sys.executable, __file__, "--dump", str(corpus_file), "--root", str(root)],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return json.loads(output)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--against", default="main", help="the commit to compare with")
    parser.add_argument("--random", type=int, default=40_000, help="generated lines")
    parser.add_argument("--seed", type=int, default=12)
    parser.add_argument("--dump", help=argparse.SUPPRESS)
    parser.add_argument("--root", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.dump:
        sys.path.insert(0, args.root)
        import calculator

        assert Path(calculator.__file__).is_relative_to(args.root), calculator.__file__
        lines = json.loads(Path(args.dump).read_text())
        json.dump(dump(lines), sys.stdout)
        return 0

    sys.path.insert(0, str(ROOT))
    lines = corpus(args.random, args.seed)
    with tempfile.TemporaryDirectory() as scratch:
        corpus_file = Path(scratch) / "corpus.json"
        corpus_file.write_text(json.dumps(lines))
        theirs = _run_side(_engine_of(args.against, Path(scratch) / "theirs"), corpus_file)
        ours = _run_side(ROOT, corpus_file)
    fields = [
        "ok",
        "display",
        "stored",
        "value",
        "assigned",
        "shadowed",
        "interpretation",
        "differs",
        "error",
        "message",
        "span",
    ]
    differences = 0
    for index, (before, after) in enumerate(zip(theirs, ours, strict=True)):
        if before != after:
            differences += 1
            if differences <= 20:
                changed = {
                    name: (old, new)
                    for name, old, new in zip(fields, before, after, strict=True)
                    if old != new
                }
                print(f"{lines[index // 2]!r} ({'preview' if index % 2 else 'commit'}): {changed}")
    errors = sum(1 for record in ours if not record[0])
    print(
        f"{len(lines):,} lines ({len(ours):,} evaluations, {errors:,} of them errors) against "
        f"{args.against}: {differences} differences"
    )
    return 1 if differences else 0


if __name__ == "__main__":
    sys.exit(main())
