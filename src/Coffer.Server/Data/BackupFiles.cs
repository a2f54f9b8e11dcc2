using Coffer.Server.Files;
using Microsoft.Data.Sqlite;

namespace Coffer.Server.Data;

/// <summary>
/// Attachment and Send files in a SQLite backup, so <c>coffer-server backup</c> stays one self-contained file and a
/// restore loses nothing. With SQLite the files live under <c>{data folder}/files</c> (<see cref="FileSystemBlobStore"/>),
/// outside the database; the backup copies each into the backup file's own <c>blobs</c> / <c>blob_chunks</c> tables
/// (1 MiB chunks, the layout <see cref="DatabaseBlobStore"/> uses, empty in a live SQLite database), and the restore
/// writes them back under the data folder (temporary file, fsync, rename) and empties those tables again. The files are
/// copied after the database snapshot: a file deleted in between is missing from the backup together with a row that
/// the snapshot still has (its download answers 404), and a file added in between is an orphan the background sweep
/// removes. With PostgreSQL and MySQL the files are already rows of the database, so <c>pg_dump</c> and <c>mariadb-dump</c> carry them.
/// </summary>
internal static class BackupFiles
{
    private const int ChunkBytes = DatabaseBlobStore.ChunkBytes;

    /// <summary>Copies every blob under <paramref name="filesRoot"/> into the backup database <paramref name="backup"/>; returns how many.</summary>
    public static int CopyInto(SqliteConnection backup, string filesRoot)
    {
        if (!Directory.Exists(filesRoot))
        {
            return 0;
        }

        var count = 0;
        var buffer = new byte[ChunkBytes];
        using var transaction = backup.BeginTransaction();
        foreach (var path in Directory.EnumerateFiles(filesRoot, "*", SearchOption.AllDirectories))
        {
            var key = Path.GetRelativePath(filesRoot, path).Replace(Path.DirectorySeparatorChar, '/');
            if (!BlobKeys.IsValid(key))
            {
                // Temporary files of uploads in progress, and anything that is not a blob.
                continue;
            }

            FileStream file;
            try
            {
                file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read | FileShare.Delete);
            }
            catch (FileNotFoundException)
            {
                continue;
            }

            using (file)
            {
                var id = Guid.NewGuid();
                Execute(backup, """INSERT INTO blobs ("Id", "Key", "Length", "CreationDate") VALUES ($id, $key, $length, $date)""",
                    ("$id", id), ("$key", key), ("$length", file.Length), ("$date", File.GetLastWriteTimeUtc(path)));
                for (var sequence = 0; ; sequence++)
                {
                    var filled = file.ReadAtLeast(buffer, ChunkBytes, throwOnEndOfStream: false);
                    if (filled == 0)
                    {
                        break;
                    }

                    Execute(backup, """INSERT INTO blob_chunks ("BlobId", "Sequence", "Data") VALUES ($id, $sequence, $data)""",
                        ("$id", id), ("$sequence", sequence), ("$data", buffer.AsSpan(0, filled).ToArray()));
                }
            }

            count++;
        }

        transaction.Commit();
        return count;
    }

    /// <summary>
    /// Writes the blobs held in the restored database <paramref name="database"/> back under <paramref name="filesRoot"/>
    /// and removes them from the database; returns how many.
    /// </summary>
    public static int ExtractFrom(SqliteConnection database, string filesRoot)
    {
        var blobs = new List<(Guid Id, string Key)>();
        using (var list = database.CreateCommand())
        {
            list.CommandText = """SELECT "Id", "Key" FROM blobs WHERE "Key" IS NOT NULL""";
            using var reader = list.ExecuteReader();
            while (reader.Read())
            {
                blobs.Add((reader.GetGuid(0), reader.GetString(1)));
            }
        }

        foreach (var (id, key) in blobs)
        {
            var target = Path.Combine(filesRoot, BlobKeys.Checked(key).Replace('/', Path.DirectorySeparatorChar));
            var folder = Path.GetDirectoryName(target)!;
            if (OperatingSystem.IsWindows())
            {
                Directory.CreateDirectory(folder);
            }
            else
            {
                Directory.CreateDirectory(folder, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            }

            var temp = Backup.TempBeside(target);
            try
            {
                using (var output = new FileStream(temp, FileMode.Open, FileAccess.Write))
                using (var chunks = database.CreateCommand())
                {
                    chunks.CommandText = """SELECT "Data" FROM blob_chunks WHERE "BlobId" = $id ORDER BY "Sequence" """;
                    chunks.Parameters.AddWithValue("$id", id);
                    using var reader = chunks.ExecuteReader();
                    while (reader.Read())
                    {
                        using var chunk = reader.GetStream(0);
                        chunk.CopyTo(output);
                    }

                    output.Flush(flushToDisk: true);
                }

                File.Move(temp, target, overwrite: false);
            }
            finally
            {
                File.Delete(temp);
            }
        }

        Execute(database, "DELETE FROM blob_chunks; DELETE FROM blobs;");
        Execute(database, "VACUUM;");
        return blobs.Count;
    }

    private static void Execute(SqliteConnection connection, string sql, params (string Name, object Value)[] parameters)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value);
        }

        command.ExecuteNonQuery();
    }
}
