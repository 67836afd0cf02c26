/** A throwaway `records`-shaped table on a test database, for differential tests. */
import pg from "pg";

/** Holds a connection to a table with the columns of `records`: id, created, updated, data. */
export class RecordsTable {
  private constructor(private readonly client: pg.Client) {}

  /** Connects and creates the table. */
  static async create(url: string): Promise<RecordsTable> {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    await client.query(
      `CREATE TABLE records (id text PRIMARY KEY, created timestamptz(3) NOT NULL,
        updated timestamptz(3) NOT NULL, data jsonb NOT NULL)`,
    );
    return new RecordsTable(client);
  }

  /** Replaces the table's rows; every field other than id/created/updated goes into `data`. */
  async load(records: readonly Record<string, unknown>[]): Promise<void> {
    const rows = records.map(({ id, created, updated, ...data }) => ({
      id,
      created,
      updated,
      data,
    }));
    await this.client.query("TRUNCATE records");
    await this.client.query(
      `INSERT INTO records SELECT * FROM jsonb_to_recordset($1::jsonb)
        AS x(id text, created timestamptz, updated timestamptz, data jsonb)`,
      [JSON.stringify(rows)],
    );
  }

  /**
   * Evaluates several boolean expressions over every row in one query; returns, per expression,
   * the ids of the rows where it is true.
   */
  async matchingIds(
    expressions: readonly string[],
    params: readonly unknown[],
  ): Promise<Set<string>[]> {
    const columns = expressions.map((sql, i) => `COALESCE((${sql}), FALSE) AS c${i}`).join(", ");
    const { rows } = await this.client.query(`SELECT id, ${columns} FROM records r`, [...params]);
    return expressions.map(
      (_, i) => new Set(rows.filter((row) => row[`c${i}`] === true).map((row) => row.id as string)),
    );
  }

  /** Evaluates boolean expressions that read only parameters. */
  async evaluate(expressions: readonly string[], params: readonly unknown[]): Promise<boolean[]> {
    const columns = expressions.map((sql, i) => `COALESCE((${sql}), FALSE) AS c${i}`).join(", ");
    const { rows } = await this.client.query(`SELECT ${columns}`, [...params]);
    return expressions.map((_, i) => rows[0][`c${i}`] === true);
  }

  /** Ids in the order an ORDER BY list gives. */
  async orderedIds(orderBy: string): Promise<string[]> {
    const { rows } = await this.client.query(`SELECT id FROM records r ORDER BY ${orderBy}`);
    return rows.map((row) => row.id as string);
  }

  async close(): Promise<void> {
    await this.client.end();
  }
}
