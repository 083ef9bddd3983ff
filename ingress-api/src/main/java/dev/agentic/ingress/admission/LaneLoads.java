package dev.agentic.ingress.admission;

import dev.agentic.model.Lane;

/** Where admission reads each lane's load. */
@FunctionalInterface
interface LaneLoads {
    /** The lane's load at the last sample. */
    LaneLoad load(Lane lane);
}
