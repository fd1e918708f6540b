import { parentPort } from 'node:worker_threads';
import { WorkspaceSession } from '../shared';
import type { FromWorker, ToWorker } from './scan-messages';

/**
 * The workspace scan, on its own thread: every rule over every file of one folder. It keeps the
 * folder's texts in memory and is told about editor buffers and disk changes, so each re-scan reads
 * nothing again. The language server's thread stays free to answer the open file while it runs.
 */

export function runScanWorker(): void {
  if (!parentPort) throw new Error('The scan worker must run as a worker thread');
  const port = parentPort;
  let session: WorkspaceSession | undefined;
  const send = (message: FromWorker) => port.postMessage(message);
  port.on('message', (message: ToWorker) => {
    try {
      switch (message.type) {
        case 'load': {
          session = new WorkspaceSession({ root: message.root, config: message.config });
          for (const [file, text] of message.overlays) session.setText(file, text);
          const files = session.load((done, total) => send({ type: 'progress', done, total }));
          send({ type: 'loaded', files });
          break;
        }
        case 'setText':
          session?.setText(message.file, message.text ?? undefined);
          break;
        case 'fileChanged':
          session?.fileChanged(message.file);
          break;
        case 'analyze': {
          if (!session) {
            send({ type: 'failed', id: message.id, message: 'The workspace was not loaded.' });
            break;
          }
          const analysis = session.analyzeWorkspace();
          send({
            type: 'result',
            id: message.id,
            findings: [...analysis.findings],
            keySites: analysis.keySites,
            internalErrors: analysis.internalErrors,
            filesLinted: analysis.filesLinted,
            filesParsed: analysis.filesParsed,
            durationMs: analysis.durationMs,
          });
          break;
        }
      }
    } catch (error) {
      const err = error instanceof Error ? error : new Error(String(error));
      send({ type: 'failed', id: message.type === 'analyze' ? message.id : undefined, message: err.message, stack: err.stack });
    }
  });
}
