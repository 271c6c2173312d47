import numpy as np
import pytest

from puzzles import mazes


@pytest.mark.parametrize("size", [3, 9, 13, 21])
def test_generated_mazes_are_perfect_with_a_connecting_path(size):
    rng = np.random.default_rng(size)
    for _ in range(20):
        grid = mazes.generate_grid(size, rng)
        cells = ((size + 1) // 2) ** 2
        open_cells = int((grid[::2, ::2] != mazes.WALL).sum())
        passages = int((grid != mazes.WALL).sum()) - open_cells
        assert open_cells == cells  # every cell reached
        assert passages == cells - 1  # a spanning tree: no loops, so the path is unique
        assert (grid[1::2, 1::2] == mazes.WALL).all()  # wall corners stay walls
        path = mazes.shortest_path(grid)
        assert path[grid == mazes.START].all() and path[grid == mazes.GOAL].all()
        assert (grid[path == 1] != mazes.WALL).all()
        # a simple path: both ends have one path neighbour, every inner element two
        padded = np.pad(path, 1)
        neighbours = padded[:-2, 1:-1] + padded[2:, 1:-1] + padded[1:-1, :-2] + padded[1:-1, 2:]
        ends = (path == 1) & (neighbours == 1)
        assert ends.sum() == 2 and ((neighbours[(path == 1) & ~ends]) == 2).all()


def test_image_format_side_and_colours():
    images, paths = mazes.generate(5, 9, 0)
    assert images.shape == (5, 3, 24, 24) and images.dtype == np.float32
    assert paths.shape == (5, 24, 24) and paths.dtype == np.uint8
    assert mazes.image_side(59) == 124
    for image in images:
        pixels = {tuple(p) for p in image.reshape(3, -1).T}
        assert pixels == {(0, 0, 0), (1, 1, 1), (0, 1, 0), (1, 0, 0)}
        assert (image[:, :3, :] == 0).all() and (image[:, -3:, :] == 0).all()  # border + outer wall
        assert (image[:, (image[1] == 1) & (image[0] == 0) & (image[2] == 0)].shape[1]) == 4  # start: one 2x2 block
    assert ((paths == 1) <= (images.max(axis=1) > 0)).all()  # the path never crosses a wall


def test_compact_and_image_round_trip():
    compact, paths = mazes.generate_compact(4, 11, 3)
    images, image_paths = mazes.generate(4, 11, 3)
    assert np.array_equal(mazes.compact_to_image(compact), images)
    assert np.array_equal(mazes.compact_to_image(paths), image_paths)
    assert np.array_equal(mazes.image_to_compact(images), compact)
    assert np.array_equal(mazes.image_to_compact(image_paths), paths)


def test_seeded():
    assert np.array_equal(mazes.generate(3, 9, 5)[0], mazes.generate(3, 9, 5)[0])


def test_large_maze_generates():
    grid = mazes.generate_grid(201, np.random.default_rng(0))
    assert mazes.shortest_path(grid).sum() >= 2


@pytest.mark.parametrize("size", [8, 1, 2.0, True])
def test_bad_sizes_are_rejected(size):
    with pytest.raises(ValueError, match="odd"):
        mazes.generate_grid(size, np.random.default_rng(0))


def test_bad_images_get_clear_errors():
    images, _ = mazes.generate(2, 9, 0)
    with pytest.raises(TypeError, match="float"):
        mazes.validate_images(images.astype(np.uint8))
    with pytest.raises(ValueError, match="shape"):
        mazes.validate_images(images[:, :2])
    with pytest.raises(ValueError, match="0 or 1"):
        mazes.validate_images(images * 0.5)
    with pytest.raises(ValueError, match="2s\\+6"):
        mazes.validate_images(np.zeros((1, 3, 25, 25), np.float32))


def test_maze_problem_encodes_compactly_and_masks_walls():
    import torch

    from agents.problems import get_problem

    problem = get_problem("mazes")
    images, paths = mazes.generate(3, 9, 0)
    x, y = problem.encode(images), problem.encode_target(paths)
    assert x.shape == (3, 3, 9, 9) and y.shape == (3, 9, 9)
    mask = problem.loss_mask(x)
    assert mask.dtype == torch.bool and (y[~mask] == 0).all()
    assert np.array_equal(problem.decode(y, images), paths)  # the exact answer round-trips
    # a prediction of "path everywhere" is cut back to the open pixels
    everything = torch.stack([torch.zeros_like(x[:, 0]), torch.ones_like(x[:, 0])], dim=1)
    assert (problem.predict(everything, x) == mask).all()


def test_image_view_problem_keeps_the_native_pixels():
    from agents.problems import get_problem

    problem = get_problem("mazes_image")
    images, paths = mazes.generate(2, 9, 1)
    x, y = problem.encode(images), problem.encode_target(paths)
    assert x.shape == (2, 3, 24, 24) and y.shape == (2, 24, 24)
    assert np.array_equal(problem.decode(y, images), paths)
    assert (y[~problem.loss_mask(x)] == 0).all()  # the path lies on open pixels only


def test_a_tiny_training_run_overfits_16_mazes(tmp_path):
    import torch

    from trainers.evaluation import score_at
    from trainers.supervised import TrainConfig, Trainer

    torch.set_num_threads(1)
    config = TrainConfig(
        problem="mazes",
        network={"width": 24, "blocks": 1},
        train_difficulty=7,
        dataset_size=20,
        fresh_data=False,
        epochs=150,
        batch_size=16,
        lr=3e-3,
        warmup_steps=10,
        alpha=0.0,
        max_iters=8,
    )
    trainer = Trainer(config, tmp_path, progress=False)
    trainer.console.quiet = True
    trainer.run()
    inputs, paths = trainer.fixed_train
    assert len(inputs) == 16
    assert score_at(trainer.net, trainer.problem, inputs, paths, 8)[0] >= 15 / 16
