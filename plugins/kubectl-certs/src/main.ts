import { main } from "@kubemend/lib/cli/app";
import { certsPlugin } from "./plugin.js";

await main(certsPlugin);
