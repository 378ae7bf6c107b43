// Viewers for bench/fanout.py: N Socket.IO websocket clients in one process, each joining one
// entry room; every `rating` event's delay is now - changed_at (when its newest rating was
// committed, same clock). Usage: node clients.js URL VIEWERS SECONDS ROOMS(comma separated)
// Prints one JSON line of results.
const { io } = require("socket.io-client");

const [url, viewersArg, secondsArg, roomsArg] = process.argv.slice(2);
const viewers = Number(viewersArg);
const seconds = Number(secondsArg);
const rooms = roomsArg.split(",");
const delays = []; // receipt - changed_at: how fresh the value is
const relays = []; // receipt - sent_at: the server's part
const perRoom = {};
let joined = 0;
let failed = 0;
let measuring = false;
const sockets = [];

function connectOne(i) {
  return new Promise((resolve) => {
    const socket = io(url, { transports: ["websocket"], reconnection: false, timeout: 20000 });
    const room = rooms[i % rooms.length];
    socket.on("connect", () => {
      socket.timeout(20000).emit("join", { room }, (err, answer) => {
        if (err || !answer || !answer.ok) failed++;
        else joined++;
        resolve();
      });
    });
    socket.on("connect_error", () => {
      failed++;
      resolve();
    });
    socket.on("rating", (data) => {
      if (!measuring || !data.changed_at) return;
      const now = Date.now();
      delays.push(now - data.changed_at);
      if (data.sent_at) relays.push(now - data.sent_at);
      perRoom[room] = (perRoom[room] || 0) + 1;
    });
    sockets.push(socket);
  });
}

function quantile(sorted, q) {
  if (!sorted.length) return null;
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}

(async () => {
  const batch = 50; // connect in waves, as real visitors arrive
  for (let i = 0; i < viewers; i += batch) {
    const wave = [];
    for (let j = i; j < Math.min(viewers, i + batch); j++) wave.push(connectOne(j));
    await Promise.all(wave);
  }
  await new Promise((r) => setTimeout(r, 1000));
  measuring = true;
  const started = Date.now();
  await new Promise((r) => setTimeout(r, seconds * 1000));
  measuring = false;
  const elapsed = (Date.now() - started) / 1000;
  delays.sort((a, b) => a - b);
  relays.sort((a, b) => a - b);
  const perViewer = delays.length / Math.max(joined, 1) / elapsed;
  const viewersPerRoom = joined / rooms.length;
  const roomRates = Object.values(perRoom).map((n) => n / viewersPerRoom / elapsed);
  console.log(
    JSON.stringify({
      joined,
      failed,
      events: delays.length,
      p50: quantile(delays, 0.5),
      p99: quantile(delays, 0.99),
      max: delays.length ? delays[delays.length - 1] : null,
      relay_p50: quantile(relays, 0.5),
      relay_p99: quantile(relays, 0.99),
      events_per_viewer_per_s: perViewer,
      max_events_per_entry_per_s: roomRates.length ? Math.max(...roomRates) : 0,
    })
  );
  for (const s of sockets) s.disconnect();
  process.exit(0);
})();
