import { DELIVERY_META_FLAG, type DeliveryMeta } from "@tidings/protocol";

/** One message for one room. */
export interface RoomEmit {
  room: string;
  event: string;
  payload: unknown;
  /** A socket (room) to leave out: the writer's own connection. */
  except?: string | null | undefined;
  /** What the gateway's delivery telemetry reads (see DeliveryMeta); never sent to clients. */
  meta?: DeliveryMeta | undefined;
}

/**
 * Delivers messages to Socket.IO rooms on every gateway. `emit` resolves once the messages are
 * handed to the transport, in order, and rejects (retryably) when they could not be; the caller
 * then keeps the events in the bus and tries again.
 */
export interface RoomEmitter {
  emit(messages: RoomEmit[]): Promise<void>;
}

/** The part of a Socket.IO namespace's adapter a local emitter uses. */
export interface LocalRooms {
  broadcast(
    packet: { type: number; data: unknown[]; nsp: string },
    opts: { rooms: Set<string>; except: Set<string>; flags: Record<string, unknown> },
  ): void;
}

// socket.io-parser's EVENT packet type.
const EVENT_PACKET = 2;

/**
 * Emits through the Socket.IO adapter of the namespace in this process (single-node mode, the
 * in-memory adapter): what `io.to(room).except(id).emit()` does, plus the delivery metadata in the
 * flags, which the public emit API cannot set.
 */
export function localRoomEmitter(adapter: LocalRooms): RoomEmitter {
  return {
    async emit(messages) {
      for (const { room, event, payload, except, meta } of messages) {
        adapter.broadcast(
          { type: EVENT_PACKET, data: [event, payload], nsp: "/" },
          {
            rooms: new Set([room]),
            except: new Set(except ? [except] : []),
            flags: meta ? { [DELIVERY_META_FLAG]: meta } : {},
          },
        );
      }
    },
  };
}
