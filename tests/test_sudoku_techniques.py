"""The human-technique grader: sound deductions, each technique on a position where it is the first to progress.

Over 400 lines because each of the grader's techniques needs its own hand-built position, and they read best as one
catalogue beside the grader's list.
"""

from dataclasses import dataclass

import numpy as np
import pytest

from puzzles import sudoku
from puzzles.sudoku_techniques import (
    Grade,
    Position,
    Rating,
    Step,
    Technique,
    cell_name,
    find,
    next_step,
    rate,
    rate_batch,
)


def grid(text: str) -> np.ndarray:
    return np.array([0 if c == "." else int(c) for c in text], dtype=np.int8).reshape(9, 9)


EASY = grid("003020600900305001001806400008102900700000008006708200002609500800203009005010300")
# Easter Monster (a famous puzzle that defeats every technique short of guessing).
EASTER_MONSTER = grid("1.......2.9.4...5...6...7...5.9.3.......7.......85..4.7.....6...3...9.8...2.....1")

# A random minimal puzzle the techniques leave half done (one in the 241 puzzles drawn to find it).
BEYOND_MINIMAL = grid("290000586100000020000000000500004200009100070020000030800051009050600000060090400")

# Minimal puzzles from a seeded random sample, with the grade they get and their unique solution.
GRADED = [
    (
        Grade.NAKED_SINGLES,
        "291008003603071000000000000000090000400000005019500307740200000000000600002006890",
        "291658743683471259574923168325897416467312985819564327746289531938145672152736894",
    ),
    (
        Grade.HIDDEN_SINGLES,
        "002007600070500000000000080000104000900000002050000740000790001065000003800005060",
        "412987635678531429539462187726154398984673512351829746243796851165248973897315264",
    ),
    (
        Grade.HIDDEN_SINGLES,
        "000000090000010030008006000500900008004607000930005001003000000000008009060700520",
        "615873294729514836348296175576921348184637952932485761493152687257368419861749523",
    ),
    (
        Grade.LOCKED_CANDIDATES,
        "080604010200000000741000030090100000000000005007005008600003090100800360020040500",
        "385624719269371854741598236592187643816432975437965128658213497174859362923746581",
    ),
    (
        Grade.LOCKED_CANDIDATES,
        "000070504000000000610040000000000028070023690000000040001407000200900000508100900",
        "829371564754296183613548279196754328475823691382619745961437852237985416548162937",
    ),
    (
        Grade.NAKED_SUBSETS,
        "005000600309000000000208400000070800100809006700060010000000003030001000020006005",
        "245793681389614257671258439463175892152849376798362514516487923934521768827936145",
    ),
    (
        Grade.NAKED_SUBSETS,
        "003680001800009402000004000140920503000500000060010020350000709900030000000000000",
        "473682951816359472295174638148927563732568194569413827351246789984735216627891345",
    ),
    (
        Grade.FISH,
        "070109000905400000000000100062070004009008000000600809600000080000305000000204003",
        "378159246915426378426837195862973514139548627547612839653791482294385761781264953",
    ),
    (
        Grade.FISH,
        "006802007000060050073900046090004070000350000000006000050020060649000280000000000",
        "516842397984763152273915846195284673762359418438176925351428769649537281827691534",
    ),
    (
        Grade.CHAINS,
        "300210008020070000006004090030000070900080610040030500003800007090000050000092000",
        "354219768129678345786354291835126479972485613641937582563841927298763154417592836",
    ),
    (
        Grade.CHAINS,
        "300790000090010080000000000006005004003006590000080260080000120150040008000100000",
        "368792451297514386541863972926375814813426597475981263784639125159247638632158749",
    ),
    (
        Grade.FORCING_CHAINS,
        "760080090042007000000000100006003008000460000210000504809000300070040600000000009",
        "765381492142957836938624157496513278587462913213798564859276341371849625624135789",
    ),
    (
        Grade.FORCING_CHAINS,
        "900000040040060380000003060600500000082309005030001000009000007000100800010005003",
        "963258741541967382278413569694572138182349675735681924459836217327194856816725493",
    ),
]


@dataclass(frozen=True)
class Case:
    """A position (pencil marks reached on a puzzle) where ``technique`` is the easiest technique that progresses."""

    technique: Technique
    puzzle: str
    solution: str
    position: str
    step: str


# Each position was reached by the grader on the puzzle and checked by hand; the comments say the pattern.
CASES = [
    # Row 4 has one place for 2: r4c3 (and no open cell is down to one candidate).
    Case(
        Technique.HIDDEN_SINGLE,
        "005000900009800023000000000780600009000030800050200600000080000000040350674050010",
        "825371964149865723367429185782614539916537842453298671531782496298146357674953218",
        """
        12348     12346     5         1347      267       123467    9         4678      1467
        14        146       9         8         67        14567     1457      2         3
        12348     12346     123678    134579    2679      12345679  1457      4678      14567
        7         8         23        6         1         45        45        34        9
        1249      12469     126       4579      3         4579      8         47        12457
        1349      5         13        2         79        4789      6         347       147
        12359     1239      123       1379      8         123679    47        4679      467
        1289      129       128       179       4         12679     3         5         67
        6         7         4         39        5         39        2         1         8
        """,
        "hidden single: r4c3=2",
    ),
    # Box 7 holds 2 only in row 9 (r9c1, r9c2, r9c3), so 2 leaves the rest of row 9: r9c9.
    Case(
        Technique.POINTING,
        "000351080005007000107000000098000207000000090000630000009000000040020800000918060",
        "924351786365487921187296453698145237431872695752639148819564372546723819273918564",
        """
        9         26        246       3         5         1         7         8         246
        234       2368      5         248       689       7         13469     124       12346
        1         2368      7         248       689       46        34569     245       23456
        6         9         8         1         4         5         2         3         7
        345       135       134       78        78        2         1456      9         1456
        2457      1257      124       6         3         9         145       145       8
        8         16        9         457       67        346       135       1257      1235
        35        4         16        57        2         36        8         157       9
        2357      2357      23        9         1         8         345       6         2345
        """,
        "pointing: r9c9<>2",
    ),
    # Column 9 holds 9 only in box 3 (r2c9, r3c9), so 9 leaves the rest of box 3: r3c7.
    Case(
        Technique.CLAIMING,
        "900000040040060380000003060600500000082309005030001000009000007000100800010005003",
        "963258741541967382278413569694572138182349675735681924459836217327194856816725493",
        """
        9         6         3         278       12578     278       57        4         12
        1257      4         157       279       6         27        3         8         129
        127       27        8         2479      124579    3         579       6         129
        6         9         147       5         2478      2478      12        3         48
        147       8         2         3         47        9         6         17        5
        457       3         457       6         2478      1         29        279       48
        2348      25        9         248       2348      6         124       125       7
        2347      257       47        1         23479     247       8         259       6
        2478      1         6         24789     24789     5         249       29        3
        """,
        "claiming: r3c7<>9",
    ),
    # r4c2 and r4c3 are {2, 6}, so 6 leaves r4c5 in row 4.
    Case(
        Technique.NAKED_PAIR,
        "700005000000096800040000907900507400100000000003020060004000010000600520500900000",
        "792485136315796842648213957926537481157864293483129765274358619839671524561942378",
        """
        7         29        289       248       48        5         1         3         6
        3         1         5         7         9         6         8         4         2
        26        4         268       1238      138       1238      9         5         7
        9         26        26        5         136       7         4         8         13
        1         568       7         348       3468      348       2         9         35
        4         58        3         18        2         9         7         6         15
        26        7         4         238       5         238       36        1         9
        8         39        19        6         7         13        5         2         4
        5         236       126       9         134       1234      36        7         8
        """,
        "naked pair: r4c5<>6",
    ),
    # r1c1, r1c4, r1c8 (136, 136, 16) hold {1, 3, 6} together, so 1 leaves r1c2 in row 1.
    Case(
        Technique.NAKED_TRIPLE,
        "007000400000000030050009700000000090094007080008005020800020000700800300002046050",
        "687352419419678235253419768326184597594267183178935624841523976765891342932746851",
        """
        136       128       7         136       5         28        4         16        9
        146       18        9         16        7         48        2         3         5
        24        5         36        24        136       9         7         16        8
        1356      12        36        1346      8         24        156       9         7
        1256      9         4         126       16        7         156       8         3
        136       7         8         9         136       5         16        2         4
        8         4         1         5         2         3         9         7         6
        7         6         5         8         9         1         3         4         2
        9         3         2         7         4         6         8         5         1
        """,
        "naked triple: r1c2<>1",
    ),
    # In box 2, 7 and 8 fit only r1c4 and r2c5, so r1c4 loses 2 and r2c5 loses 5.
    Case(
        Technique.HIDDEN_PAIR,
        "001000003900400000084060070000914000309000005000000810490007000600009020003500007",
        "761892453932475168584361972857914236319286745246753819495627381678139524123548697",
        """
        257       6         1         278       9         25        4         58        3
        9         3         27        4         578       125       12        568       68
        25        8         4         23        6         1235      9         7         12
        8         5         27        9         1         4         237       36        26
        3         1         9         278       78        6         27        4         5
        27        4         6         237       57        235       8         1         9
        4         9         5         6         2         7         13        38        18
        6         7         8         1         3         9         5         2         4
        1         2         3         5         4         8         6         9         7
        """,
        "hidden pair: r1c4<>2, r2c5<>5",
    ),
    # In column 1, 4, 5 and 9 fit only r2c1, r5c1 and r9c1, which lose their other candidates.
    Case(
        Technique.HIDDEN_TRIPLE,
        "058403900001078000300000000060040000000201870007000405000900000040000720000060084",
        "258413967491678532376529148165847293934251876827396415782934651643185729519762384",
        """
        26        5         8         4         12        3         9         16        7
        2469      29        1         56        7         8         2356      3456      23
        3         7         246       156       1259      269       1256      1456      8
        18        6         359       3578      4         79        123       139       123
        459       39        3459      2         359       1         8         7         6
        128       128       7         368       389       69        4         139       5
        7         1238      235       9         1238      4         1356      1356      13
        168       4         36        138       138       5         7         2         9
        1259      1239      2359      137       6         27        135       8         4
        """,
        "hidden triple: r2c1<>2, r2c1<>6, r9c1<>1, r9c1<>2",
    ),
    # Rows 1 and 6 hold 7 only in columns 1 and 4, so 7 leaves r5c4.
    Case(
        Technique.X_WING,
        "001000003900400000084060070000914000309000005000000810490007000600009020003500007",
        "761892453932475168584361972857914236319286745246753819495627381678139524123548697",
        """
        257       6         1         78        9         25        4         58        3
        9         3         27        4         78        125       12        568       68
        25        8         4         23        6         1235      9         7         12
        8         5         27        9         1         4         237       36        26
        3         1         9         278       78        6         27        4         5
        27        4         6         237       5         23        8         1         9
        4         9         5         6         2         7         13        38        18
        6         7         8         1         3         9         5         2         4
        1         2         3         5         4         8         6         9         7
        """,
        "x wing: r5c4<>7",
    ),
    # Rows 2, 4 and 9 hold 4 only in columns 1, 3 and 5 (13, 35, 15), so 4 leaves r5c5.
    Case(
        Technique.SWORDFISH,
        "005010000080300006002060500000000010000002000900000600003500900020000704010803000",
        "365214897487359126192768543254976318876132459931485672643527981528691734719843265",
        """
        3         6         5         2         1         47        48        9         78
        47        8         47        3         5         9         1         2         6
        1         9         2         47        6         8         5         47        3
        2         5         47        9         347       6         38        1         78
        8         47        6         1         347       2         34        5         9
        9         3         1         47        8         5         6         47        2
        6         47        3         5         2         47        9         8         1
        5         2         8         6         9         1         7         3         4
        47        1         9         8         47        3         2         6         5
        """,
        "swordfish: r5c5<>4",
    ),
    # Pivot r8c6 {2, 4}, pincers r2c6 {2, 7} and r8c3 {4, 7}: 7 leaves r2c3, which sees both pincers.
    Case(
        Technique.XY_WING,
        "900000040040060380000003060600500000082309005030001000009000007000100800010005003",
        "963258741541967382278413569694572138182349675735681924459836217327194856816725493",
        """
        9         6         3         278       15        278       57        4         12
        157       4         157       9         6         27        3         8         12
        127       27        8         4         15        3         57        6         9
        6         9         147       5         278       2478      12        3         48
        147       8         2         3         47        9         6         17        5
        57        3         457       6         278       1         29        279       48
        2348      25        9         28        2348      6         124       125       7
        237       257       47        1         239       24        8         259       6
        248       1         6         278       24789     5         249       29        3
        """,
        "xy wing: r2c3<>7",
    ),
    # On 6: r3c6 =column 6= r8c6 -row 8- r8c3 =column 3= r1c3, so r3c6 or r1c3 is 6; r3c2 sees both.
    Case(
        Technique.X_CHAIN,
        "000351080005007000107000000098000207000000090000630000009000000040020800000918060",
        "924351786365487921187296453698145237431872695752639148819564372546723819273918564",
        """
        9         26        246       3         5         1         7         8         246
        234       2368      5         248       689       7         13469     124       12346
        1         2368      7         248       689       46        34569     245       23456
        6         9         8         1         4         5         2         3         7
        345       135       134       78        78        2         1456      9         1456
        2457      1257      124       6         3         9         145       145       8
        8         16        9         45        67        34        135       1257      1235
        35        4         16        57        2         36        8         157       9
        2357      2357      23        9         1         8         345       6         345
        """,
        "x chain: r3c2<>6",
    ),
    # r7c5 {6, 7} -6- r8c6 {3, 6} -3- r8c1 {3, 5} -5- r8c4 {5, 7}: r7c5 or r8c4 is 7; r7c4 sees both.
    Case(
        Technique.XY_CHAIN,
        "000351080005007000107000000098000207000000090000630000009000000040020800000918060",
        "924351786365487921187296453698145237431872695752639148819564372546723819273918564",
        """
        9         26        246       3         5         1         7         8         246
        234       2368      5         248       689       7         13469     124       12346
        1         2368      7         248       689       46        34569     245       23456
        6         9         8         1         4         5         2         3         7
        345       135       134       78        78        2         1456      9         1456
        2457      1257      124       6         3         9         145       145       8
        8         16        9         457       67        346       135       1257      1235
        35        4         16        57        2         36        8         157       9
        2357      2357      23        9         1         8         345       6         345
        """,
        "xy chain: r7c4<>7",
    ),
    # r1c2 is {2, 6}; with 6 the singles that follow break a rule, so r1c2 = 2.
    Case(
        Technique.FORCING_CHAIN,
        "000351080005007000107000000098000207000000090000630000009000000040020800000918060",
        "924351786365487921187296453698145237431872695752639148819564372546723819273918564",
        """
        9         26        246       3         5         1         7         8         246
        234       2368      5         248       689       7         13469     124       12346
        1         238       7         248       689       46        34569     245       23456
        6         9         8         1         4         5         2         3         7
        345       135       134       78        78        2         1456      9         1456
        2457      1257      124       6         3         9         145       145       8
        8         16        9         45        67        34        135       1257      1235
        35        4         16        57        2         36        8         17        9
        2357      2357      23        9         1         8         345       6         345
        """,
        "forcing chain: r1c2=2",
    ),
    # r1c7 is {4, 7}; 7 there removes 7 from r6c7 (column 7), and so do the singles that follow 4.
    Case(
        Technique.FORCING_CHAIN,
        "010003050720005903000070002400700005000006300000900010089004000005810040600000000",
        "916283457724165983853479162462731895198526374537948216289654731375812649641397528",
        """
        9         1         6         2         8         3         47        5         47
        7         2         48        1         46        5         9         68        3
        358       345       348       46        7         9         1         68        2
        4         6         238       7         23        1         28        9         5
        1258      9         1278      45        245       6         3         27        478
        235       357       237       9         2345      8         247       1         6
        12        8         9         356       56        4         257       237       17
        23        37        5         8         1         27        6         4         9
        6         47        1247      35        9         27        258       23        18
        """,
        "forcing chain: r6c7<>7",
    ),
]


def assert_sound(step: Step, solution: np.ndarray) -> None:
    """A step never places a wrong digit nor removes the right one."""
    for cell, digit in step.placements:
        assert solution[cell] == digit, f"{step} places a wrong digit at {cell_name(cell)}"
    for cell, digit in step.eliminations:
        assert solution[cell] != digit, f"{step} removes the solution's digit at {cell_name(cell)}"


def replay_and_check(puzzle: np.ndarray, solution: np.ndarray, rating: Rating) -> None:
    """Replays every step from the givens: each one sound and making progress, ending at the grid reached."""
    position = Position.from_puzzle(puzzle)
    flat = solution.reshape(81)
    for step in rating.steps:
        assert_sound(step, flat)
        before = (position.cands.copy(), position.digits.copy())
        position.apply(step)
        assert (position.cands, position.digits) != before, f"{step} changes nothing"
    assert np.array_equal(position.grid(), rating.grid)
    assert np.array_equal(rating.grid[rating.grid > 0], solution[rating.grid > 0])


def test_grades_and_techniques_are_ordered_with_their_tiers():
    assert [int(g) for g in Grade] == list(range(1, 10))
    assert Grade.NAKED_SINGLES < Grade.FISH < Grade.BEYOND_CHAINS and Grade.BEYOND_CHAINS.label == "beyond chains"
    assert list(Technique) == sorted(Technique) and Technique.X_WING.label == "x wing"
    tiers = [technique.grade for technique in Technique]
    assert tiers == sorted(tiers) and set(tiers) == set(Grade) - {Grade.BEYOND_CHAINS}


@pytest.mark.parametrize(
    ("grade", "puzzle", "solution"), GRADED, ids=[f"{g.name}-{i}" for i, (g, *_) in enumerate(GRADED)]
)
def test_known_puzzles_get_their_grade_by_sound_steps(grade, puzzle, solution):
    puzzle, solution = grid(puzzle), grid(solution)
    rating = rate(puzzle)
    assert rating.grade == grade and rating.solved
    assert np.array_equal(rating.grid, solution)
    assert sum(rating.counts.values()) == len(rating.steps)
    assert max(t.grade for t, n in rating.counts.items() if n) == grade
    replay_and_check(puzzle, solution, rating)


def test_easy_puzzles_need_singles_and_a_full_grid_needs_nothing():
    rating = rate(EASY)
    assert rating.grade == Grade.NAKED_SINGLES and rating.counts[Technique.NAKED_SINGLE] == (EASY == 0).sum()
    full = rate(rating.grid)
    assert full.grade == Grade.NAKED_SINGLES and full.steps == () and not any(full.counts.values())


@pytest.mark.parametrize("puzzle", [EASTER_MONSTER, BEYOND_MINIMAL], ids=["easter_monster", "random_minimal"])
def test_a_puzzle_that_defeats_the_techniques_is_beyond_chains(puzzle):
    rating = rate(puzzle)
    assert rating.grade == Grade.BEYOND_CHAINS and not rating.solved
    placed = (rating.grid > 0).sum()
    assert placed == (puzzle > 0).sum() if puzzle is EASTER_MONSTER else (puzzle > 0).sum() < placed < 81
    replay_and_check(puzzle, sudoku.solve(puzzle)[0], rating)


def test_every_deduction_on_fresh_puzzles_agrees_with_the_solution():
    puzzles, solutions = sudoku.generate(16, 26, np.random.default_rng(25))
    for puzzle, solution in zip(puzzles, solutions, strict=True):
        rating = rate(puzzle, check_unique=False)
        replay_and_check(puzzle, solution, rating)
        assert rating.solved == (rating.grade < Grade.BEYOND_CHAINS)


@pytest.mark.parametrize("case", CASES, ids=[f"{c.technique.name}-{i}" for i, c in enumerate(CASES)])
def test_each_technique_is_the_first_to_progress_on_its_position(case):
    puzzle, solution = grid(case.puzzle), grid(case.solution)
    assert sudoku.count_solutions(puzzle) == 1 and np.array_equal(sudoku.solve(puzzle)[0], solution)
    position = Position.from_candidates(case.position)
    # genuinely correct: the givens are placed, every placed digit is the solution's, every open cell lists it
    assert np.array_equal(position.grid()[puzzle > 0], puzzle[puzzle > 0])
    placed = position.grid() > 0
    assert np.array_equal(position.grid()[placed], solution[placed])
    assert position.candidates()[np.arange(9)[:, None], np.arange(9)[None, :], solution - 1].all()
    for easier in Technique:
        if easier == case.technique:
            break
        assert find(position, easier) is None, f"{easier.label} progresses first"
    step = find(position, case.technique)
    assert step is not None and str(step) == case.step
    assert_sound(step, solution.reshape(81))
    assert next_step(position) == step


def test_a_naked_single_comes_first_on_a_fresh_puzzle():
    case = CASES[0]  # the hidden single's puzzle, at its start
    position = Position.from_puzzle(grid(case.puzzle))
    step = find(position, Technique.NAKED_SINGLE)
    assert str(step) == "naked single: r4c5=1" and next_step(position) == step
    assert grid(case.solution)[3, 4] == 1


def test_positions_read_back_what_they_write():
    position = Position.from_puzzle(EASY)
    text = position.to_text()
    assert "." in text  # open cells down to one candidate are marked, so they stay open
    again = Position.from_candidates(text)
    assert again.cands == position.cands and again.digits == position.digits
    assert again.candidates().shape == (9, 9, 9) and again.candidates().sum() == sum(map(int.bit_count, again.cands))


@pytest.mark.parametrize(
    ("change", "error", "message"),
    [
        (lambda tokens: tokens[:80], ValueError, "81 cells, got 80"),
        (lambda tokens: ["0"] + tokens[1:], ValueError, "r1c1: '0' is not a set"),
        (lambda tokens: ["x12"] + tokens[1:], ValueError, "r1c1"),
        (lambda tokens: ["\u00b2"] + tokens[1:], ValueError, "r1c1"),
        (lambda tokens: ["."] + tokens[1:], ValueError, "r1c1"),
        (lambda tokens: ["112"] + tokens[1:], ValueError, "distinct"),
    ],
)
def test_malformed_positions_get_clear_errors(change, error, message):
    tokens = Position.from_puzzle(EASY).to_text().split()
    with pytest.raises(error, match=message):
        Position.from_candidates(" ".join(change(tokens)))


def test_positions_that_break_the_rules_are_refused():
    tokens = Position.from_puzzle(EASY).to_text().split()
    assert tokens[2] == "3"  # r1c3 holds the given 3
    twice = ["3"] + tokens[1:]
    with pytest.raises(ValueError, match="digit 3 is placed at both r1c1 and r1c3"):
        Position.from_candidates(" ".join(twice))
    stale = tokens.copy()
    stale[0] = "".join(sorted(stale[0].removeprefix(".") + "3"))
    with pytest.raises(ValueError, match="r1c1 lists 3, placed at its peer r1c3"):
        Position.from_candidates(" ".join(stale))
    with pytest.raises(TypeError, match="a position is a text"):
        Position.from_candidates(EASY)


@pytest.mark.parametrize(
    ("puzzle", "message"),
    [
        (EASY[:8], "got shape \\(8, 9\\)"),
        (np.where(EASY == 3, 10, EASY), "0 \\(blank\\) to 9"),
        (np.where(np.arange(81).reshape(9, 9) < 2, 5, EASY), "digit 5 appears twice in row 1"),
        (np.zeros((9, 9), dtype=np.int8), "several solutions"),
        (np.where(np.arange(81).reshape(9, 9) == 0, 5, EASY), "no solution"),
    ],
)
def test_bad_puzzles_get_clear_errors(puzzle, message):
    with pytest.raises(ValueError, match=message):
        rate(puzzle)


def test_without_the_uniqueness_check_an_open_grid_is_beyond_chains():
    rating = rate(np.zeros((9, 9), dtype=np.int8), check_unique=False)
    assert rating.grade == Grade.BEYOND_CHAINS and rating.steps == ()


def test_batches_give_grades_and_technique_counts():
    puzzles = np.stack([grid(p) for _, p, _ in GRADED[:3]])
    grades, counts = rate_batch(puzzles)
    assert grades.dtype == np.int8 and counts.shape == (3, len(Technique)) and counts.dtype == np.int32
    assert grades.tolist() == [int(g) for g, _, _ in GRADED[:3]]
    assert counts[0].tolist() == list(rate(puzzles[0]).counts.values())
    assert rate_batch(puzzles[0])[0].shape == (1,)
    with pytest.raises(ValueError, match="puzzle 1: the puzzle has several solutions"):
        rate_batch(np.stack([EASY, np.zeros((9, 9), dtype=np.int8)]))


def test_the_soundness_check_catches_a_wrong_deduction():
    solution = grid(GRADED[0][2]).reshape(81)
    wrong_digit = solution[0] % 9 + 1
    with pytest.raises(AssertionError, match="places a wrong digit at r1c1"):
        assert_sound(Step(Technique.NAKED_SINGLE, placements=((0, wrong_digit),)), solution)
    with pytest.raises(AssertionError, match="removes the solution's digit at r1c1"):
        assert_sound(Step(Technique.X_WING, eliminations=((0, int(solution[0])),)), solution)


def test_steps_read_in_the_usual_notation():
    step = Step(Technique.X_WING, eliminations=((40, 7), (80, 7)))
    assert str(step) == "x wing: r5c5<>7, r9c9<>7"
    assert str(Step(Technique.NAKED_SINGLE, placements=((0, 4),))) == "naked single: r1c1=4"
