"""Deep-thinking networks: feed-forward, DT and DT-Recall, in 1D and 2D, and a soft-parameter-sharing net between
feed-forward and recurrent (Savarese & Maire 2019); and the one place that builds any network from its config,
the chess network included.

The layers match the original code (Bansal et al., NeurIPS 2022; :mod:`agents.layers`): bias-free 3-wide
convolutions, basic residual blocks without normalisation and with a ReLU after the add, recall = concatenate the
raw input to the thought and convolve back to the width (followed by a ReLU in 1D only, as in the original), and
the original heads (1D: w -> w -> w/2 -> classes; 2D: w -> 32 -> 8 -> classes).

Every network runs the one thinking loop of :mod:`agents.thinking`::

    logits, state = net(x, iters, state=None)      # run `iters` iterations from `state`
    for logits, state in net.iterate(x, iters):    # the same, streamed one iteration at a time

``state`` is the thought (features of ``width`` channels); ``None`` starts from the projected input.
Nothing keeps every iteration's output: the iterator yields and forgets.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

import torch
import torch.nn.functional as F
from torch import nn

# check_iterations and deadline_after are re-exported: callers that check a budget import them from here too.
from agents.budget import MAX_THINK, check_iterations, check_whole, deadline_after  # noqa: F401
from agents.chess_network import ChessNetwork, ChessNetworkConfig, chess_parameter_shapes
from agents.layers import CONVOLUTIONS, BasicBlock, SudokuBlock, conv
from agents.thinking import ThinkingLoop

#: Per-iteration block of each geometry, and the kernel of the projection, recall and head around it.
_GEOMETRY: dict[str, tuple[type[nn.Module], int]] = {"grid": (BasicBlock, 3), "sudoku": (SudokuBlock, 1)}


@dataclass(frozen=True)
class NetworkConfig:
    """Everything needed to rebuild a network; stored in every checkpoint's model card.

    Attributes:
        kind: ``"dt"`` (one recurrent stage reused every iteration), ``"ff"`` (``max_iters`` separate stages) or
            ``"soft"`` (``max_iters`` stages whose convolutions are each a learned mix of ``templates`` shared
            kernels: free to become a loop, a feed-forward stack, or anything between).
        dims: 1 for strings, 2 for images and boards.
        in_channels: input channels (1 for prefix sums, 3 for maze images, 12 for chess planes).
        width: channels of the thought.
        recall: re-inject the raw input before every iteration.
        blocks: basic blocks per iteration (the original uses 2).
        out_channels: classes per position.
        head: hidden widths of the head; empty means the original's (1D: w, w/2; 2D: 32, 8).
        max_iters: stages of a feed-forward or soft-sharing network (ignored by DT networks).
        geometry: ``"grid"`` (3-wide convolutions, neighbours talk) or ``"sudoku"`` (9x9 boards whose cells talk
            along rows, columns and boxes, :class:`SudokuBlock`; 1x1 projection, recall and head).
        templates: kernels in the shared bank of a ``"soft"`` network (ignored by the others).
        state_norm: rescale the thought after every iteration to unit root-mean-square over its channels, at each
            position (no parameters; :func:`rms_normalise`), so the recurrence cannot grow or shrink the thought
            however long it runs. Off in every shipped model.
    """

    kind: str = "dt"
    dims: int = 1
    in_channels: int = 1
    width: int = 400
    recall: bool = True
    blocks: int = 2
    out_channels: int = 2
    head: tuple[int, ...] = field(default_factory=tuple)
    max_iters: int = 30
    geometry: str = "grid"
    templates: int = 4
    state_norm: bool = False

    def __post_init__(self) -> None:
        for name in ("dims", "in_channels", "width", "blocks", "out_channels", "max_iters", "templates"):
            check_whole(getattr(self, name), name)
        for name in ("recall", "state_norm"):
            if not isinstance(getattr(self, name), bool):
                raise TypeError(f"{name} must be true or false, got {getattr(self, name)!r}")
        if not isinstance(self.head, list | tuple):
            raise TypeError(f"head must be a list of hidden widths, got {self.head!r}")
        for width in self.head:
            if check_whole(width, "a head width") < 1:
                raise ValueError(f"head widths must be positive, got {list(self.head)}")
        if self.kind not in ("dt", "ff", "soft"):
            raise ValueError(f"network kind must be 'dt', 'ff' or 'soft', got {self.kind!r}")
        if self.kind == "soft" and self.geometry != "grid":
            raise ValueError("a soft-sharing network mixes 3-wide convolutions: it needs geometry 'grid'")
        if self.dims not in CONVOLUTIONS:
            raise ValueError(f"dims must be 1 or 2, got {self.dims}")
        if self.geometry not in _GEOMETRY or (self.geometry == "sudoku" and self.dims != 2):
            raise ValueError(f"geometry must be 'grid', or 'sudoku' with dims 2, got {self.geometry!r}")
        for name in ("in_channels", "width", "blocks", "out_channels", "max_iters", "templates"):
            if getattr(self, name) < 1:
                raise ValueError(f"{name} must be positive, got {getattr(self, name)}")
        if self.max_iters > MAX_THINK:
            raise ValueError(f"max_iters must be at most {MAX_THINK} (MAX_THINK), got {self.max_iters}")
        object.__setattr__(self, "head", tuple(self.head))

    def head_widths(self) -> tuple[int, ...]:
        """Hidden widths of the head, defaulting to the original's."""
        if self.head:
            return self.head
        return (self.width, self.width // 2) if self.dims == 1 else (32, 8)

    def to_dict(self) -> dict:
        """A JSON-ready dictionary."""
        return {**asdict(self), "head": list(self.head)}

    @classmethod
    def from_dict(cls, values: dict) -> NetworkConfig:
        """Rebuilds a config from :meth:`to_dict`'s output, rejecting unknown keys.

        Raises:
            TypeError: not a dictionary, or a setting of the wrong type.
            ValueError: an unknown setting or a value out of range.
        """
        if not isinstance(values, dict):
            raise TypeError(f"a network config is a dictionary of settings, got {type(values).__name__}")
        known = set(cls.__dataclass_fields__)
        unknown = set(values) - known
        if unknown:
            raise ValueError(f"unknown network settings: {sorted(unknown)}")
        return cls(**values)


class ThinkingNetwork(ThinkingLoop):
    """A DT / DT-Recall network (``kind="dt"``), its feed-forward twin (``kind="ff"``) or the soft-sharing net
    between them (``kind="soft"``).

    The feed-forward twin has ``max_iters`` stages with separate weights and one shared recall
    convolution (as the original), so it can run at most ``max_iters`` iterations in total. The soft-sharing
    net has as many stages, each convolution ``sum_k coefficients[stage, block, conv, k] * templates[k]``
    (Savarese & Maire 2019); :meth:`layer_similarity` shows whether training folded it into a loop.
    """

    def __init__(self, config: NetworkConfig) -> None:
        super().__init__()
        self.config = config
        dims, width, c_in = config.dims, config.width, config.in_channels
        block, kernel = _GEOMETRY[config.geometry]
        self.projection = nn.Sequential(conv(dims, c_in, width, kernel), nn.ReLU(inplace=True))
        # The original has a ReLU after the recall conv in 1D only (DT) and never in feed-forward nets; a
        # soft-sharing net follows DT, so that it can become exactly a DT.
        recall_relu = dims == 1 and config.kind in ("dt", "soft")
        self.recall = (
            nn.Sequential(conv(dims, width + c_in, width, kernel), *([nn.ReLU(inplace=True)] if recall_relu else []))
            if config.recall
            else None
        )
        stages = {"dt": 1, "ff": config.max_iters, "soft": 0}[config.kind]
        self.stages = nn.ModuleList(
            nn.Sequential(*(block(dims, width) for _ in range(config.blocks))) for _ in range(stages)
        )
        if config.kind == "soft":
            # Kaiming-uniform templates as nn.Conv's own; coefficients N(0, 1/K) keep each mix at that scale.
            self.templates = nn.Parameter(torch.empty(config.templates, width, width, *[3] * dims))
            for template in self.templates:
                nn.init.kaiming_uniform_(template, a=5**0.5)
            self.coefficients = nn.Parameter(
                torch.randn(config.max_iters, config.blocks, 2, config.templates) / config.templates**0.5
            )
        hidden = config.head_widths()
        head: list[nn.Module] = []
        for c_prev, c_next in zip((width, *hidden), hidden, strict=False):
            head += [conv(dims, c_prev, c_next, kernel), nn.ReLU(inplace=True)]
        head.append(conv(dims, hidden[-1], config.out_channels, kernel))
        self.head = nn.Sequential(*head)

    @property
    def recurrent(self) -> bool:
        """True when iterations share weights, so any number of them can be run."""
        return self.config.kind == "dt"

    def _enter(self, t: torch.Tensor) -> torch.Tensor:
        """Inputs and thoughts run channels-last, 1D ones as ``(B, C, 1, L)`` (:class:`agents.layers.Conv1dAs2d`)."""
        if self.config.dims == 1:
            if t.dim() != 3:
                raise ValueError(f"a 1D network takes (B, C, L) tensors, got shape {tuple(t.shape)}")
            t = t.unsqueeze(2)
        elif t.dim() != 4:
            raise ValueError(f"a 2D network takes (B, C, H, W) tensors, got shape {tuple(t.shape)}")
        return t.contiguous(memory_format=torch.channels_last)

    _resume = _enter

    def _leave(self, t: torch.Tensor) -> torch.Tensor:
        return t.squeeze(2) if self.config.dims == 1 else t

    def read(self, state: torch.Tensor) -> tuple[torch.Tensor]:
        """``(logits,)`` of an internal thought."""
        return (self._leave(self.head(state)),)

    def _step(self, x: torch.Tensor, state: torch.Tensor, index: int) -> torch.Tensor:
        if self.recall is not None:
            state = self.recall(torch.cat([state, x], dim=1))
        if self.config.kind == "soft":
            state = self._soft_stage(state, index)
        else:
            state = self.stages[0 if self.recurrent else index](state)
        return rms_normalise(state) if self.config.state_norm else state

    def _soft_stage(self, state: torch.Tensor, index: int) -> torch.Tensor:
        """The basic blocks of stage ``index`` with kernels mixed from the templates."""
        for mixes in self.coefficients[index]:
            kernels = torch.einsum("ck,k...->c...", mixes, self.templates)
            if self.config.dims == 1:  # internal 1D tensors are (B, C, 1, L), as Conv1dAs2d runs them
                kernels, padding = kernels.unsqueeze(3), (0, 1)
            else:
                padding = (1, 1)
            out = torch.relu(F.conv2d(state, kernels[0], padding=padding))
            state = torch.relu(F.conv2d(out, kernels[1], padding=padding) + state)
        return state

    def layer_similarity(self) -> torch.Tensor:
        """A soft-sharing net's layer similarity matrix: ``|cos|`` between the coefficient vectors of every two
        convolutions, in the order (stage, block, first or second conv). Savarese & Maire's Figure 3: a net that
        folded into a loop shows a period of ``2 * blocks``."""
        if self.config.kind != "soft":
            raise ValueError(f"only a soft-sharing network has template coefficients, not kind {self.config.kind!r}")
        mixes = self.coefficients.detach().flatten(0, 2)
        mixes = mixes / mixes.norm(dim=1, keepdim=True).clamp_min(1e-12)
        return (mixes @ mixes.T).abs()

    def _check_budget(self, start: int, iters: int) -> int:
        iters = super()._check_budget(start, iters)
        if not self.recurrent and start + iters > self.config.max_iters:
            raise ValueError(
                f"a feed-forward network has {self.config.max_iters} stages; asked for iterations "
                f"{start + 1}..{start + iters}"
            )
        return iters


def rms_normalise(state: torch.Tensor, eps: float = 1e-6) -> torch.Tensor:
    """``state`` divided, at each position, by the root mean square of its channels (dimension 1)."""
    return state * torch.rsqrt(state.pow(2).mean(dim=1, keepdim=True) + eps)


def fast_cpu_math() -> None:
    """Flushes denormal floats to zero on CPU (process-wide).

    Trained thinking networks carry tiny activations; as denormals they halve CPU throughput
    (measured on the prefix-sums model), while their value is far below anything that changes an answer.
    """
    torch.set_flush_denormal(True)


def parameter_shapes(config: Any) -> dict[str, tuple[int, ...]]:
    """Every tensor of the state dict that ``config`` builds, by name, with its shape, computed without building
    anything (checkpoints are checked against these before any weight is allocated; the tests hold these to the
    built networks). Feed-forward stages are listed one by one: bound ``max_iters * blocks`` first.
    """
    if getattr(config, "kind", None) == "chess":
        return chess_parameter_shapes(config)
    dims, width, kernel = config.dims, config.width, _GEOMETRY[config.geometry][1]

    def conv(c_out: int, c_in: int, size: int = kernel) -> tuple[int, ...]:
        return (c_out, c_in, 1, 1) if size == 1 else (c_out, c_in, *[3] * dims)

    shapes = {"projection.0.weight": conv(width, config.in_channels)}
    if config.recall:
        shapes["recall.0.weight"] = conv(width, width + config.in_channels)
    layers = ("own", "row", "column", "box", "out") if config.geometry == "sudoku" else ("conv1", "conv2")
    for stage in range({"dt": 1, "ff": config.max_iters, "soft": 0}[config.kind]):
        for block in range(config.blocks):
            for layer in layers:
                shape = (width, width) if config.geometry == "sudoku" else conv(width, width, 3)
                shapes[f"stages.{stage}.{block}.{layer}.weight"] = shape
    if config.kind == "soft":
        shapes["templates"] = (config.templates, width, width, *[3] * dims)
        shapes["coefficients"] = (config.max_iters, config.blocks, 2, config.templates)
    hidden = config.head_widths()
    for index, (c_prev, c_next) in enumerate(zip((width, *hidden), (*hidden, config.out_channels), strict=True)):
        shapes[f"head.{2 * index}.weight"] = conv(c_next, c_prev)
    return shapes


def network_config(values: dict) -> Any:
    """The config a dictionary describes, without building anything: a :class:`NetworkConfig`, or for
    ``kind="chess"`` an :class:`agents.chess_network.ChessNetworkConfig`.

    Raises:
        TypeError: not a dictionary, or a setting of the wrong type.
        ValueError: an unknown setting or a value out of range.
    """
    if isinstance(values, dict) and values.get("kind") == "chess":
        return ChessNetworkConfig.from_dict(values)
    return NetworkConfig.from_dict(values)


def build_network(config: Any) -> nn.Module:
    """Builds a network from a config or its dictionary form (``kind="chess"`` builds the chess policy net)."""
    if isinstance(config, dict):
        config = network_config(config)
    if getattr(config, "kind", None) == "chess":
        return ChessNetwork(config)
    return ThinkingNetwork(config)
