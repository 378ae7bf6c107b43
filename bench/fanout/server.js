// The yardstick for bench/fanout.py: a minimal Node socket.io server that relays the same
// Redis stream of events Ginga's processes exchange (python-socketio's JSON messages) to
// the viewers that joined a room. Usage: node server.js PORT REDIS_URL CHANNEL
const http = require("http");
const { Server } = require("socket.io");
const { createClient } = require("redis");

const [port, redisUrl, channel] = process.argv.slice(2);
const httpServer = http.createServer((req, res) => {
  res.writeHead(200, { "Content-Type": "text/plain" });
  res.end("ok");
});
const io = new Server(httpServer, { transports: ["websocket"] });
io.on("connection", (socket) => {
  socket.on("join", (data, ack) => {
    socket.join(data.room);
    if (typeof ack === "function") ack({ ok: true, room: data.room });
  });
});

(async () => {
  const sub = createClient({ url: redisUrl });
  await sub.connect();
  await sub.subscribe(channel, (raw) => {
    const message = JSON.parse(raw);
    if (message.method !== "emit") return;
    const payload = message.data.length === 1 ? message.data[0] : message.data;
    io.to(message.room).emit(message.event, payload); // encoded once for the whole room
  });
  httpServer.listen(Number(port), "127.0.0.1", () => console.log("listening " + port));
})();
