// A mysql2 connection to the benchmark's server (a mysql:// URL), in a database or none.
const mysql = require('mysql2/promise');

function serverConnection(serverUrl, database) {
  const url = new URL(serverUrl);
  return mysql.createConnection({
    host: url.hostname,
    port: Number(url.port || 3306),
    user: decodeURIComponent(url.username || 'root'),
    password: decodeURIComponent(url.password),
    database,
    supportBigNumbers: true,
    bigNumberStrings: true,
    charset: 'utf8mb4',
  });
}

module.exports = { serverConnection };
