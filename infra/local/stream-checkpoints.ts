import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';

/**
 * How far the stream consumer got in each shard: the last sequence number handled
 * and whether a closed shard is done. Kept in a file (unless in memory) so a restart
 * resumes instead of replaying the whole stream; replays would still be harmless.
 */
export interface ShardCheckpoint {
  readonly sequenceNumber?: string;
  readonly finished?: boolean;
}

interface CheckpointFile {
  readonly streamArn: string;
  readonly shards: Record<string, ShardCheckpoint>;
}

export class StreamCheckpoints {
  private streamArn = '';
  private shards: Record<string, ShardCheckpoint> = {};
  private writing: Promise<void> = Promise.resolve();

  /** `file` undefined: checkpoints live in memory only (tests, `inMemory` runs). */
  constructor(private readonly file: string | undefined) {}

  /** Starts tracking a stream; checkpoints of another stream (a recreated table) are dropped. */
  async use(streamArn: string): Promise<void> {
    this.streamArn = streamArn;
    this.shards = {};
    if (!this.file) return;
    try {
      const saved = JSON.parse(await readFile(this.file, 'utf8')) as CheckpointFile;
      if (saved.streamArn === streamArn) this.shards = { ...saved.shards };
    } catch {
      // No file yet, or unreadable: start from the oldest record still in the stream.
    }
  }

  get(shardId: string): ShardCheckpoint | undefined {
    return this.shards[shardId];
  }

  async set(shardId: string, checkpoint: ShardCheckpoint): Promise<void> {
    this.shards[shardId] = { ...this.shards[shardId], ...checkpoint };
    const file = this.file;
    if (!file) return;
    const content = `${JSON.stringify({ streamArn: this.streamArn, shards: this.shards } satisfies CheckpointFile, null, 2)}\n`;
    // Serialised, and replaced atomically, so a crash never leaves half a file.
    this.writing = this.writing.then(async () => {
      await mkdir(dirname(file), { recursive: true });
      await writeFile(`${file}.tmp`, content);
      await rename(`${file}.tmp`, file);
    });
    await this.writing;
  }
}
