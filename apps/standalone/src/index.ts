export { type Standalone, standaloneExtraEnv, startStandalone } from "./start-standalone.ts";
