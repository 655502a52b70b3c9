import { main } from "@kubemend/lib/cli/app";
import { etcdsnap } from "./plugin.js";

await main(etcdsnap);
