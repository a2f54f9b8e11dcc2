using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Coffer.Client;
using Coffer.E2E.Tests.Harness;
using Microsoft.Data.Sqlite;
using Xunit.Abstractions;

namespace Coffer.E2E.Tests.Faults;

/// <summary>
/// A SQLite node killed with SIGKILL in the middle of a 100 MB attachment upload (<c>bitwarden-sharing-features.md</c>
/// §2.3): the bytes that arrived sit in a hidden temporary file beside the final name, never under it, so nothing can
/// download half a file; the slot stays not uploaded and the storage counted against the account is what it was; the
/// next start's background run removes the temporary file.
/// </summary>
[Collection(FaultTests.Collection)]
public sealed class UploadKillTests(ITestOutputHelper output)
{
    // An EncArrayBuffer's shape (§1.1): just over 100 MB.
    private static readonly long FileBytes = EncryptedFileStream.LengthFor(100_000_000);
    private const long KillAfterBytes = 50_000_000;

    [Fact]
    public async Task KillMinus9_MidwayThroughA100MBUpload_LeavesNoReadableFile_TheQuotaUnchanged_AndTheNextStartSweepsTheRest()
    {
        using var scratch = new Scratch("coffer-upload-kill-");
        var data = scratch.Folder("data");
        var account = TestAccount.CreateUnique();
        var server = await ServerProcess.StartAsync(scratch.Certificates, data);
        Guid cipherId;
        string attachmentId;
        long usedBefore;
        long receivedAtKill;
        int? exitCode;
        var itemFolder = "";
        try
        {
            using var session = await ApiSession.RegisterAndLoginAsync(scratch.Certificates, server.BaseAddress, account);
            using var http = Client(scratch, server, session);
            cipherId = await session.CreateLoginAsync("with a large file");
            attachmentId = await ReserveAsync(http, cipherId);
            itemFolder = Path.Combine(data, "files", "attachments", cipherId.ToString("D"));
            usedBefore = UsedStorage(data, session);

            // The body stops after KillAfterBytes and waits: the server has half a file when it dies.
            using var release = new CancellationTokenSource();
            var body = new EncryptedFileStream(FileBytes, KillAfterBytes, release.Token);
            using var content = new MultipartFormDataContent();
            var part = new StreamContent(body, 128 * 1024);
            part.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
            content.Add(part, "data", "large.bin");
            var upload = http.PostAsync(new Uri($"/api/ciphers/{cipherId}/attachment/{attachmentId}", UriKind.Relative), content);
            receivedAtKill = await WaitForTemporaryFileAsync(itemFolder, KillAfterBytes - (8 * 1024 * 1024), upload);
            await server.KillAsync();
            exitCode = server.ExitCode;
            await release.CancelAsync();
            await Assert.ThrowsAnyAsync<Exception>(() => upload.WaitAsync(TimeSpan.FromMinutes(1)));
        }
        finally
        {
            await server.DisposeAsync();
        }

        // As the kill left it: a temporary file only, nothing under the attachment's name, the slot not uploaded.
        var leftovers = Directory.GetFiles(itemFolder);
        var finalPath = Path.Combine(itemFolder, attachmentId);
        Assert.False(File.Exists(finalPath));
        Assert.All(leftovers, f => Assert.Matches(@"^\.[a-z0-9]{32}\.[0-9a-f]{32}\.tmp$", Path.GetFileName(f)));
        Assert.NotEmpty(leftovers);
        Assert.Equal(0L, Scalar(data, "SELECT \"Uploaded\" FROM attachments WHERE \"Id\" = $id", ("$id", attachmentId)));

        long usedAfter;
        HttpStatusCode downloadStatus;
        int syncedAttachments;
        string[] afterSweep;
        await using (var restarted = await ServerProcess.StartAsync(scratch.Certificates, data))
        {
            afterSweep = await WaitForNoTemporaryFilesAsync(Path.Combine(data, "files"));
            using var session = await ApiSession.LoginAsync(scratch.Certificates, restarted.BaseAddress, account);
            using var http = Client(scratch, restarted, session);
            using (var download = await http.GetAsync(new Uri($"/api/ciphers/{cipherId}/attachment/{attachmentId}", UriKind.Relative)))
            {
                downloadStatus = download.StatusCode;
            }

            var sync = JsonNode.Parse(await http.GetStringAsync(new Uri("/api/sync", UriKind.Relative)))!;
            var cipher = sync["ciphers"]!.AsArray().Single(c => (string?)c!["id"] == cipherId.ToString())!;
            syncedAttachments = cipher["attachments"] is JsonArray list ? list.Count : 0;
            usedAfter = UsedStorage(data, session);
        }

        output.WriteLine($"kill -9 after {receivedAtKill:N0} of {FileBytes:N0} bytes had reached the temporary file; exit code {exitCode}; " +
            $"leftovers {leftovers.Length}; storage counted {usedBefore:N0} before, {usedAfter:N0} after the restart; files after the start sweep: {afterSweep.Length}");
        Assert.Equal(137, exitCode); // 128 + SIGKILL
        Assert.True(receivedAtKill < FileBytes);
        // The slot is still waiting for its file: no download URL is handed out (400, "not uploaded").
        Assert.Equal(HttpStatusCode.BadRequest, downloadStatus);
        Assert.Equal(0, syncedAttachments);
        Assert.Equal(usedBefore, usedAfter);
        Assert.Empty(afterSweep);
    }

    private static HttpClient Client(Scratch scratch, ServerProcess server, ApiSession session)
    {
        var http = new HttpClient(CofferHttp.CreateHandler(scratch.Certificates.CaPemPath)) { BaseAddress = server.BaseAddress, Timeout = TimeSpan.FromMinutes(5) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", session.Token.AccessToken);
        return http;
    }

    private static async Task<string> ReserveAsync(HttpClient http, Guid cipherId)
    {
        using var response = await http.PostAsJsonAsync(new Uri($"/api/ciphers/{cipherId}/attachment/v2", UriKind.Relative), new JsonObject
        {
            ["key"] = EncString(),
            ["fileName"] = EncString(),
            ["fileSize"] = FileBytes,
        });
        response.EnsureSuccessStatusCode();
        return (string)JsonNode.Parse(await response.Content.ReadAsStringAsync())!["attachmentId"]!;
    }

    private static string EncString() =>
        $"2.{Convert.ToBase64String(RandomNumberGenerator.GetBytes(16))}|{Convert.ToBase64String(RandomNumberGenerator.GetBytes(32))}|{Convert.ToBase64String(RandomNumberGenerator.GetBytes(32))}";

    /// <summary>Waits until a temporary file in <paramref name="folder"/> holds <paramref name="bytes"/>; its size then.</summary>
    private static async Task<long> WaitForTemporaryFileAsync(string folder, long bytes, Task upload)
    {
        using var guard = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        while (true)
        {
            var size = Directory.Exists(folder) ? Directory.GetFiles(folder, ".*.tmp").Select(f => new FileInfo(f).Length).DefaultIfEmpty(0).Max() : 0;
            if (size >= bytes)
            {
                return size;
            }

            Assert.False(upload.IsCompleted, "The upload ended before the kill.");
            await Task.Delay(20, guard.Token);
        }
    }

    /// <summary>Waits for the start run's sweep (a guard, not a timing); the files left under <paramref name="root"/>.</summary>
    private static async Task<string[]> WaitForNoTemporaryFilesAsync(string root)
    {
        using var guard = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        while (true)
        {
            var files = Directory.Exists(root) ? Directory.GetFiles(root, "*", SearchOption.AllDirectories) : [];
            if (files.Length == 0 || guard.IsCancellationRequested)
            {
                return files;
            }

            await Task.Delay(50, CancellationToken.None);
        }
    }

    /// <summary>Bytes counted against the account as the server counts them (Files/StorageQuota): its items' attachments and Send files.</summary>
    private static long UsedStorage(string data, ApiSession session)
    {
        // EF Core keeps a Guid in SQLite as upper-case text.
        var payload = session.Token.AccessToken.Split('.')[1].Replace('-', '+').Replace('_', '/');
        var claims = JsonNode.Parse(Convert.FromBase64String(payload.PadRight(payload.Length + ((4 - (payload.Length % 4)) % 4), '=')))!;
        var userId = Guid.Parse((string)claims["sub"]!).ToString("D").ToUpperInvariant();
        return Scalar(data, """
            SELECT COALESCE((SELECT SUM(a."Size") FROM attachments a JOIN ciphers c ON c."Id" = a."CipherId" WHERE c."UserId" = $id), 0)
                 + COALESCE((SELECT SUM(s."FileSize") FROM sends s WHERE s."UserId" = $id), 0)
            """, ("$id", userId));
    }

    private static long Scalar(string data, string sql, (string Name, string Value) parameter)
    {
        using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = Path.Combine(data, "coffer.db"), Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ToString());
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.Parameters.AddWithValue(parameter.Name, parameter.Value);
        return Convert.ToInt64(command.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
    }
}
