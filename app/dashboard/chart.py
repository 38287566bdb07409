"""The burn-up chart drawn on the server as SVG: it works without JavaScript and prints well.
Coordinates are computed here; the template only places them."""

from dataclasses import dataclass

from app.dashboard.service import MonthPoint

WIDTH, HEIGHT, PAD_LEFT, PAD_BOTTOM, PAD_TOP = 640, 260, 70, 30, 10


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    committed: str  # SVG polyline points
    paid: str
    target_y: float
    allocated_y: float
    labels: list[tuple[float, str]]  # x position, "2024-01"
    y_ticks: list[tuple[float, int]]  # y position, öre


def burn_up_chart(points: list[MonthPoint], allocated_ore: int, target_ore: int) -> Chart:
    top = max([allocated_ore, *(p.committed_ore for p in points)], default=0) or 1
    plot_w, plot_h = WIDTH - PAD_LEFT - 10, HEIGHT - PAD_BOTTOM - PAD_TOP
    step = plot_w / max(len(points) - 1, 1)

    def y(ore: int) -> float:
        return round(PAD_TOP + plot_h - plot_h * ore / top, 1)

    def line(values: list[int]) -> str:
        return " ".join(f"{round(PAD_LEFT + i * step, 1)},{y(v)}" for i, v in enumerate(values))

    every = max(1, len(points) // 8)
    return Chart(
        width=WIDTH,
        height=HEIGHT,
        committed=line([p.committed_ore for p in points]),
        paid=line([p.paid_ore for p in points]),
        target_y=y(target_ore),
        allocated_y=y(allocated_ore),
        labels=[
            (round(PAD_LEFT + i * step, 1), p.month) for i, p in enumerate(points) if i % every == 0
        ],
        y_ticks=[(y(top * n // 4), top * n // 4) for n in range(5)],
    )
