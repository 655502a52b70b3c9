/** The kubemend release; kept equal to the packages' version by a unit test. */
export const VERSION = "0.1.0";
