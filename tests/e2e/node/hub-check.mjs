// Live sync through the official SignalR client, configured exactly as the Bitwarden web vault, browser extension
// and desktop app configure it: no negotiation, WebSockets only, the MessagePack hub protocol, the access token in
// the query string. Usage: node hub-check.mjs SERVER_URL, with COFFER_HUB_EMAIL and COFFER_HUB_PASSWORD naming an
// existing account whose KDF is PBKDF2. It logs two devices in, connects the second to /notifications/hub, creates
// a folder from the first and prints one JSON line describing what the second received. Exits non-zero on failure.
import crypto from "node:crypto";
import * as signalR from "@microsoft/signalr";
import { MessagePackHubProtocol } from "@microsoft/signalr-protocol-msgpack";

const base = process.argv[2];
const email = process.env.COFFER_HUB_EMAIL.trim().toLowerCase();
const password = process.env.COFFER_HUB_PASSWORD;

async function post(path, body, token, form = false) {
  const headers = { "content-type": form ? "application/x-www-form-urlencoded" : "application/json" };
  if (token) headers.authorization = `Bearer ${token}`;
  const response = await fetch(base + path, { method: "POST", headers, body: form ? new URLSearchParams(body) : JSON.stringify(body) });
  if (!response.ok) throw new Error(`POST ${path}: ${response.status} ${await response.text()}`);
  return response.json();
}

// The login hash of the Bitwarden protocol: PBKDF2-SHA256 master key, then one more PBKDF2 round with the password.
const prelogin = await post("/identity/accounts/prelogin", { email });
if (prelogin.kdf !== 0) throw new Error(`expected a PBKDF2 account, got KDF ${prelogin.kdf}`);
const masterKey = crypto.pbkdf2Sync(password, email, prelogin.kdfIterations, 32, "sha256");
const hash = crypto.pbkdf2Sync(masterKey, password, 1, 32, "sha256").toString("base64");

async function login(deviceIdentifier) {
  const token = await post("/identity/connect/token", {
    scope: "api offline_access", client_id: "web", deviceType: "9", deviceIdentifier, deviceName: "chrome",
    grant_type: "password", username: email, password: hash,
  }, null, true);
  return token.access_token;
}

const writer = crypto.randomUUID();
const writerToken = await login(writer);
const listenerToken = await login(crypto.randomUUID());

const connection = new signalR.HubConnectionBuilder()
  .withUrl(`${base}/notifications/hub?access_token=${encodeURIComponent(listenerToken)}`,
    { skipNegotiation: true, transport: signalR.HttpTransportType.WebSockets })
  .withHubProtocol(new MessagePackHubProtocol())
  .configureLogging(signalR.LogLevel.Warning)
  .build();
const received = new Promise((resolve) => connection.on("ReceiveMessage", resolve));
await connection.start();

const encString = () => `2.${crypto.randomBytes(16).toString("base64")}|${crypto.randomBytes(32).toString("base64")}|${crypto.randomBytes(32).toString("base64")}`;
const folder = await post("/api/folders", { name: encString() }, writerToken);
const timeout = new Promise((_, reject) => setTimeout(() => reject(new Error("no notification within 30 s")), 30_000));
const message = await Promise.race([received, timeout]);
await connection.stop();

console.log(JSON.stringify({
  type: message.Type,
  id: message.Payload.Id,
  folderId: folder.id,
  contextIsWriter: message.ContextId === writer,
  revisionDateIsDate: message.Payload.RevisionDate instanceof Date,
  revisionDateMatches: message.Payload.RevisionDate.getTime() === new Date(folder.revisionDate).getTime(),
}));
process.exit(0);
