import { parseInput } from "@tidings/service";
import { z } from "zod";

/** Page size when the client gives none. */
export const DEFAULT_PER_PAGE = 30;
/** Largest page size; larger requests get this many (and are told so in `perPage`). */
export const MAX_PER_PAGE = 1_000;

const whole = (name: string) =>
  z
    .string()
    .regex(/^\d{1,9}$/, `${name} must be a whole number`)
    .transform(Number)
    .pipe(z.number().int().min(1, `${name} must be at least 1`));

const paginationQuery = z.object({
  page: whole("page").optional(),
  perPage: whole("perPage").optional(),
  skipTotal: z.enum(["1", "0", "true", "false"]).optional(),
});

/** A requested page. */
export interface Page {
  page: number;
  perPage: number;
  offset: number;
  /** The client asked not to count the total (answers carry -1). */
  skipTotal: boolean;
}

/** Reads `page`, `perPage` and `skipTotal` from a query string. */
export function parsePage(query: unknown): Page {
  const q = parseInput(paginationQuery, query, "query");
  const page = q.page ?? 1;
  const perPage = Math.min(q.perPage ?? DEFAULT_PER_PAGE, MAX_PER_PAGE);
  return {
    page,
    perPage,
    offset: (page - 1) * perPage,
    skipTotal: q.skipTotal === "1" || q.skipTotal === "true",
  };
}

/** The list answer: `{page, perPage, totalItems, totalPages, items}`; totals are -1 when skipped. */
export function pageResult<T>(page: Page, items: T[], total: number | undefined) {
  const totalItems = total ?? -1;
  const totalPages = total === undefined ? -1 : Math.ceil(total / page.perPage);
  return { page: page.page, perPage: page.perPage, totalItems, totalPages, items };
}
