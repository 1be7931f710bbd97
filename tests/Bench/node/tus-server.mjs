// The official Node tus server (@tus/server + @tus/file-store) on a loopback port: the upload baseline.
// usage: node tus-server.mjs <port> <directory>
import { Server } from "@tus/server";
import { FileStore } from "@tus/file-store";
import http from "node:http";

const [, , port, directory] = process.argv;
const tus = new Server({ path: "/files", datastore: new FileStore({ directory }) });
http.createServer((req, res) => tus.handle(req, res)).listen(Number(port), "127.0.0.1", () => {
  console.log("listening");
});
