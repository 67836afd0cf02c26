import type { DeadLetterView } from "@tidings/protocol";
import { Fragment } from "preact";
import { useState } from "preact/hooks";
import type { Page } from "../api.ts";
import type { Session } from "../session.ts";
import {
  ErrorNote,
  Pager,
  Panel,
  TableHead,
  useAction,
  useInterval,
  useLoad,
  when,
} from "../ui.tsx";

const REFRESH_MS = 5_000;

/** Events that kept failing, parked: inspect, retry (publish again), or drop. */
export function DeadLetters({ session }: { session: Session }) {
  const [page, setPage] = useState(1);
  const [open, setOpen] = useState<number | undefined>();
  const list = useLoad(
    () => session.api.get<Page<DeadLetterView>>(`/api/admin/dead-letters?page=${page}&perPage=20`),
    [session, page],
  );
  useInterval(list.reload, REFRESH_MS);
  const action = useAction();
  const act = (run: () => Promise<unknown>) =>
    void action.run(async () => {
      await run();
      list.reload();
    });
  return (
    <Panel title="Dead letters">
      <ErrorNote error={list.error ?? action.error} />
      <table class="records" aria-label="Dead letters">
        <TableHead
          columns={["seq", "partition", "original seq", "deliveries", "reason", "parked", ""]}
        />
        <tbody>
          {list.value?.items.map((letter) => (
            <Fragment key={letter.seq}>
              <tr data-seq={letter.seq}>
                <td>{letter.seq}</td>
                <td>{letter.partition}</td>
                <td>{letter.originalSeq}</td>
                <td>{letter.deliveries}</td>
                <td class="clip">{letter.reason}</td>
                <td>{when(letter.parkedAt)}</td>
                <td class="row-actions">
                  <button
                    type="button"
                    onClick={() => setOpen(open === letter.seq ? undefined : letter.seq)}
                  >
                    {open === letter.seq ? "Hide" : "Inspect"}
                  </button>
                  <button
                    type="button"
                    onClick={() =>
                      act(() =>
                        session.api.call("POST", `/api/admin/dead-letters/${letter.seq}/retry`),
                      )
                    }
                  >
                    Retry
                  </button>
                  <button
                    type="button"
                    class="danger"
                    onClick={() =>
                      confirm(`Drop dead letter ${letter.seq}? Its event is lost for good.`) &&
                      act(() => session.api.call("DELETE", `/api/admin/dead-letters/${letter.seq}`))
                    }
                  >
                    Drop
                  </button>
                </td>
              </tr>
              {open === letter.seq && (
                <tr>
                  <td colSpan={7}>
                    <pre class="json">{JSON.stringify(letter.event, null, 2)}</pre>
                  </td>
                </tr>
              )}
            </Fragment>
          ))}
          {list.value?.items.length === 0 && (
            <tr>
              <td colSpan={7} class="muted">
                No dead letters: every event was delivered.
              </td>
            </tr>
          )}
        </tbody>
      </table>
      <Pager of={list.value} onPage={setPage} />
    </Panel>
  );
}
