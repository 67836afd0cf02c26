import { randomUUID } from "node:crypto";
import type { PrismaClient } from "@tidings/db";
import type { VeloSettings } from "./velo-env.ts";

/** What a Velo channel stands for. */
export interface VeloChannel {
  id: string;
  /** Who asked for it; null for a guest. */
  userId: string | null;
  collectionId: string;
  filter: string | null;
}

const UUID = "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}";

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/**
 * The channels `POST /api/realtime/subscribe` issues, in the database so that any gateway node can
 * honour them. A channel not used (subscribed, authorized, pinged) for the TTL is forgotten.
 */
export class VeloChannels {
  readonly #prisma: PrismaClient;
  readonly #settings: VeloSettings;
  readonly #pusherName: RegExp;
  readonly #idOrName: RegExp;

  constructor(prisma: PrismaClient, settings: VeloSettings) {
    this.#prisma = prisma;
    this.#settings = settings;
    const prefix = escapeRegExp(settings.channelPrefix);
    this.#pusherName = new RegExp(`^private-${prefix}(${UUID})$`);
    this.#idOrName = new RegExp(`^(?:${prefix})?(${UUID})$`);
  }

  /** The id in a Pusher channel name (`private-<prefix><uuid>`), if it is one of these. */
  idOf(pusherChannel: string): string | undefined {
    return this.#pusherName.exec(pusherChannel)?.[1];
  }

  /** The id in Velo's `channel_name` (with or without the prefix), if it is one. */
  idOfName(name: string): string | undefined {
    return this.#idOrName.exec(name)?.[1];
  }

  #cutoff(): Date {
    return new Date(Date.now() - this.#settings.channelTtlMs);
  }

  /** Stores a new channel and answers its name (`<prefix><uuid>`); forgets expired ones. */
  async issue(channel: Omit<VeloChannel, "id"> & { socketId: string | null }): Promise<string> {
    const id = randomUUID();
    await this.#prisma.veloChannel.create({ data: { id, ...channel } });
    await this.#prisma.veloChannel.deleteMany({ where: { lastUsedAt: { lt: this.#cutoff() } } });
    return `${this.#settings.channelPrefix}${id}`;
  }

  /** The live channel with this id, renewed; undefined if unknown or expired. */
  async use(id: string): Promise<VeloChannel | undefined> {
    const renewed = await this.#prisma.veloChannel.updateMany({
      where: { id, lastUsedAt: { gte: this.#cutoff() } },
      data: { lastUsedAt: new Date() },
    });
    if (renewed.count === 0) return undefined;
    const row = await this.#prisma.veloChannel.findUnique({ where: { id } });
    return row ?? undefined;
  }
}
