export {
  type Standalone,
  type StandaloneOptions,
  standaloneExtraEnv,
  startStandalone,
} from "./start-standalone.ts";
