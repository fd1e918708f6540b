import * as net from 'node:net';
import * as tls from 'node:tls';

/**
 * One-shot probes that tell which protocol a port speaks, used only to explain a failed connection. Each
 * opens one socket, gives up after `timeoutMs`, and sends nothing a server would act on (PING, or a handshake).
 */
function settleOnce(socket: net.Socket, timeoutMs: number, onSocket: (finish: (answer: boolean) => void) => void): Promise<boolean> {
  return new Promise((resolve) => {
    let settled = false;
    const finish = (answer: boolean) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      resolve(answer);
    };
    const timer = setTimeout(() => finish(false), timeoutMs);
    socket.once('error', () => finish(false));
    socket.once('close', () => finish(false));
    onSocket(finish);
  });
}

/** Whether the port answers a plain-text PING like Redis does (`+PONG`, or an error such as `-NOAUTH`). */
export function answersPlainRedis(host: string, port: number, timeoutMs: number): Promise<boolean> {
  const socket = net.connect({ host, port });
  return settleOnce(socket, timeoutMs, (finish) => {
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.once('data', (data: Buffer) => finish(data[0] === 0x2b /* + */ || data[0] === 0x2d /* - */));
  });
}

/** Whether a TLS handshake with the port completes, whatever its certificate. */
export function completesTlsHandshake(host: string, port: number, timeoutMs: number): Promise<boolean> {
  const socket = tls.connect({ host, port, rejectUnauthorized: false, ...(net.isIP(host) === 0 ? { servername: host } : {}) });
  return settleOnce(socket, timeoutMs, (finish) => {
    socket.once('secureConnect', () => finish(true));
  });
}
