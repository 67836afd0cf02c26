/** One message for one room. */
export interface RoomEmit {
  room: string;
  event: string;
  payload: unknown;
  /** A socket (room) to leave out: the writer's own connection. */
  except?: string | null | undefined;
}

/**
 * Delivers messages to Socket.IO rooms on every gateway. `emit` resolves once the messages are
 * handed to the transport, in order, and rejects (retryably) when they could not be; the caller
 * then keeps the events in the bus and tries again.
 */
export interface RoomEmitter {
  emit(messages: RoomEmit[]): Promise<void>;
}

/** The part of a Socket.IO server a local emitter uses. */
export interface LocalRooms {
  to(room: string): {
    except(room: string): { emit(event: string, payload: unknown): boolean };
    emit(event: string, payload: unknown): boolean;
  };
}

/** Emits through a Socket.IO server in this process (single-node mode, in-memory adapter). */
export function localRoomEmitter(io: LocalRooms): RoomEmitter {
  return {
    async emit(messages) {
      for (const { room, event, payload, except } of messages) {
        const target = io.to(room);
        (except ? target.except(except) : target).emit(event, payload);
      }
    },
  };
}
