"""督办三色 as leaders see them: symbol + word + colour (never colour alone), the
same on every page and export. The colours come from the shared palette."""

from __future__ import annotations

from metrics.supervision.model import WarningColour
from report.palette import BLUE, INK, ORANGE, VERMILLION, Swatch

WARNING_SWATCHES: dict[WarningColour, Swatch] = {
    WarningColour.RED: Swatch(WarningColour.RED.value, VERMILLION, WarningColour.RED.symbol),
    WarningColour.YELLOW: Swatch(
        WarningColour.YELLOW.value, ORANGE, WarningColour.YELLOW.symbol, INK
    ),
    WarningColour.BLUE: Swatch(WarningColour.BLUE.value, BLUE, WarningColour.BLUE.symbol),
}
