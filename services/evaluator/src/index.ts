export { type EvaluatorConfig, evaluatorEnv, loadEvaluatorConfig } from "./config.ts";
export { createEvaluator, type Evaluator, type EvaluatorOptions } from "./evaluator.ts";
export { EmitFailedError, redisRoomEmitter } from "./redis-room-emitter.ts";
export {
  type LocalRooms,
  localRoomEmitter,
  type RoomEmit,
  type RoomEmitter,
} from "./room-emitter.ts";
export { type RunningEvaluator, startEvaluator } from "./start-evaluator.ts";
