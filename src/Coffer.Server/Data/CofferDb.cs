using Coffer.Server.Abuse;
using Coffer.Server.Accounts;
using Coffer.Server.Admin;
using Coffer.Server.Audit;
using Coffer.Server.Ciphers;
using Coffer.Server.Devices;
using Coffer.Server.Emergency;
using Coffer.Server.Files;
using Coffer.Server.Folders;
using Coffer.Server.Identity;
using Coffer.Server.Mail;
using Coffer.Server.Organizations;
using Coffer.Server.Sends;
using Coffer.Server.TwoFactor;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace Coffer.Server.Data;

/// <summary>
/// The one database model, shared by every provider. Handlers query it directly with ownership inside the
/// query (<c>Where(c =&gt; c.Id == id &amp;&amp; c.UserId == userId)</c>); no repositories in between.
/// Each provider has a small subclass (<see cref="SqliteCofferDb"/>, <see cref="PostgresCofferDb"/>) only so
/// that each owns its migrations (EF finds migrations by context type); code always injects <see cref="CofferDb"/>.
/// </summary>
public abstract class CofferDb(DbContextOptions options) : DbContext(options)
{
    public DbSet<User> Users => Set<User>();
    public DbSet<Device> Devices => Set<Device>();
    public DbSet<RefreshToken> RefreshTokens => Set<RefreshToken>();
    public DbSet<Folder> Folders => Set<Folder>();
    public DbSet<Cipher> Ciphers => Set<Cipher>();
    public DbSet<AuditEvent> AuditEvents => Set<AuditEvent>();
    public DbSet<AuditCheckpoint> AuditCheckpoints => Set<AuditCheckpoint>();
    public DbSet<AuditCheckpointHead> AuditCheckpointHeads => Set<AuditCheckpointHead>();
    public DbSet<EmailChange> EmailChanges => Set<EmailChange>();
    public DbSet<Invitation> Invitations => Set<Invitation>();
    public DbSet<ServerSetting> ServerSettings => Set<ServerSetting>();
    public DbSet<TwoFactorRememberToken> TwoFactorRememberTokens => Set<TwoFactorRememberToken>();
    public DbSet<CipherPreference> CipherPreferences => Set<CipherPreference>();
    public DbSet<Organization> Organizations => Set<Organization>();
    public DbSet<Membership> Memberships => Set<Membership>();
    public DbSet<Collection> Collections => Set<Collection>();
    public DbSet<CollectionMember> CollectionMembers => Set<CollectionMember>();
    public DbSet<CollectionGroup> CollectionGroups => Set<CollectionGroup>();
    public DbSet<CollectionCipher> CollectionCiphers => Set<CollectionCipher>();
    public DbSet<Group> Groups => Set<Group>();
    public DbSet<GroupMember> GroupMembers => Set<GroupMember>();
    public DbSet<Policy> Policies => Set<Policy>();
    public DbSet<Attachment> Attachments => Set<Attachment>();
    public DbSet<Send> Sends => Set<Send>();
    public DbSet<StoredBlob> Blobs => Set<StoredBlob>();
    public DbSet<BlobChunk> BlobChunks => Set<BlobChunk>();
    public DbSet<OutboxMessage> OutboxMessages => Set<OutboxMessage>();
    public DbSet<WebAuthnCredential> WebAuthnCredentials => Set<WebAuthnCredential>();
    public DbSet<WebAuthnChallenge> WebAuthnChallenges => Set<WebAuthnChallenge>();
    public DbSet<EmailCode> EmailCodes => Set<EmailCode>();
    public DbSet<EmergencyAccessGrant> EmergencyAccessGrants => Set<EmergencyAccessGrant>();

    /// <summary>
    /// Called first inside a <see cref="Changes"/> transaction with its sorted keys (<see cref="Changes.LockKeys"/>):
    /// holds back every other node's commit that touches one of them until this one ends, so each audit chain's
    /// positions and each account's revision dates stay strictly ordered across nodes.
    /// </summary>
    public abstract Task LockKeysAsync(IReadOnlyList<Guid> keys, CancellationToken ct);

    /// <summary>
    /// Called after the transaction of <see cref="LockKeysAsync"/> ended (committed or rolled back), on its connection:
    /// gives back keys the provider holds beyond the transaction. Nothing to do where locks end with the transaction.
    /// </summary>
    public virtual Task ReleaseKeysAsync(CancellationToken ct) => Task.CompletedTask;

    /// <summary>
    /// Raw SQL written once for every provider, identifiers in double quotes as EF creates them (<c>"ChainId"</c>) and
    /// no double quote otherwise, in this provider's dialect: unchanged on SQLite and PostgreSQL; on MySQL, where a
    /// double quote opens a string, with backquotes.
    /// </summary>
    public virtual string Dialect(string sql) => sql;

    protected override void ConfigureConventions(ModelConfigurationBuilder configurationBuilder)
    {
        // Every timestamp is UTC. SQLite returns DateTime with Kind=Unspecified, which would serialize without
        // the 'Z' that clients need (protocol §6), so the kind is restored on the way out.
        configurationBuilder.Properties<DateTime>().HaveConversion<UtcDateTimeConverter>();
        configurationBuilder.Properties<DateTime?>().HaveConversion<UtcDateTimeConverter>();
    }

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<User>(user =>
        {
            user.ToTable("users");
            user.HasIndex(u => u.Email).IsUnique();
            user.Property(u => u.Email).HasMaxLength(256);
            user.Property(u => u.Name).HasMaxLength(50);
            user.Property(u => u.MasterPasswordHint).HasMaxLength(50);
            user.Property(u => u.UserKeyId).HasMaxLength(32);
            user.Property(u => u.SecurityStamp).HasMaxLength(64);
            user.Property(u => u.TotpSecret).HasMaxLength(128);
            user.Property(u => u.TwoFactorRecoveryCodeHash).HasMaxLength(64);
            user.Ignore(u => u.KdfConfig);
        });
        modelBuilder.Entity<Device>(device =>
        {
            device.ToTable("devices");
            device.HasIndex(d => new { d.UserId, d.Identifier }).IsUnique();
            device.Property(d => d.Identifier).HasMaxLength(128);
            device.Property(d => d.Name).HasMaxLength(128);
            device.HasOne<User>().WithMany().HasForeignKey(d => d.UserId).OnDelete(DeleteBehavior.Cascade);
        });
        modelBuilder.Entity<RefreshToken>(token =>
        {
            token.ToTable("refresh_tokens");
            token.HasIndex(t => t.TokenHash).IsUnique();
            token.HasIndex(t => t.DeviceId);
            token.Property(t => t.TokenHash).HasMaxLength(64);
            token.Property(t => t.SecurityStamp).HasMaxLength(64);
            token.Property(t => t.ClientId).HasMaxLength(64);
            token.Property(t => t.ConsumedDate).IsConcurrencyToken();
            token.HasOne<User>().WithMany().HasForeignKey(t => t.UserId).OnDelete(DeleteBehavior.Cascade);
            token.HasOne<Device>().WithMany().HasForeignKey(t => t.DeviceId).OnDelete(DeleteBehavior.Cascade);
        });
        modelBuilder.Entity<Folder>(folder =>
        {
            folder.ToTable("folders");
            folder.HasIndex(f => f.UserId);
            folder.HasOne<User>().WithMany().HasForeignKey(f => f.UserId).OnDelete(DeleteBehavior.Cascade);
        });
        modelBuilder.Entity<Cipher>(cipher =>
        {
            cipher.ToTable("ciphers");
            cipher.HasIndex(c => c.UserId);
            cipher.HasIndex(c => c.OrganizationId);
            cipher.HasIndex(c => c.FolderId);
            // Each update is "UPDATE … WHERE Id = @id AND RevisionDate = @read": of two writes that read the same
            // revision, the second fails (DbUpdateConcurrencyException, answered 400) instead of overwriting.
            cipher.Property(c => c.RevisionDate).IsConcurrencyToken();
            cipher.HasOne<User>().WithMany().HasForeignKey(c => c.UserId).OnDelete(DeleteBehavior.Cascade);
            cipher.HasOne<Folder>().WithMany().HasForeignKey(c => c.FolderId).OnDelete(DeleteBehavior.SetNull);
            cipher.HasOne<Organization>().WithMany().HasForeignKey(c => c.OrganizationId).OnDelete(DeleteBehavior.Cascade);
        });
        modelBuilder.Entity<CipherPreference>(preference =>
        {
            preference.ToTable("cipher_preferences");
            preference.HasKey(p => new { p.UserId, p.CipherId });
            preference.HasIndex(p => p.CipherId);
            preference.HasOne<User>().WithMany().HasForeignKey(p => p.UserId).OnDelete(DeleteBehavior.Cascade);
            preference.HasOne<Cipher>().WithMany().HasForeignKey(p => p.CipherId).OnDelete(DeleteBehavior.Cascade);
            preference.HasOne<Folder>().WithMany().HasForeignKey(p => p.FolderId).OnDelete(DeleteBehavior.SetNull);
        });
        OnOrganizationsCreating(modelBuilder);
        OnFilesCreating(modelBuilder);
        OnMailAndSecurityKeysCreating(modelBuilder);
        modelBuilder.Entity<AuditEvent>(audit =>
        {
            // No foreign keys: the log outlives the accounts and items it speaks of.
            audit.ToTable("audit_events");
            audit.HasKey(e => e.Sequence);
            // Allocated by the database (identity on PostgreSQL, the rowid on SQLite): no global lock to number events.
            audit.Property(e => e.Sequence).ValueGeneratedOnAdd();
            // The head of a chain is one lookup on this index; unique, so two appends at one position cannot both commit.
            audit.HasIndex(e => new { e.ChainId, e.Position }).IsUnique();
            audit.HasIndex(e => new { e.UserId, e.Date });
            audit.HasIndex(e => new { e.OrganizationId, e.Date });
            audit.Property(e => e.IpAddress).HasMaxLength(64);
            audit.Property(e => e.Detail).HasMaxLength(256);
            audit.Property(e => e.PreviousHash).HasMaxLength(64);
            audit.Property(e => e.Hash).HasMaxLength(64);
        });
        modelBuilder.Entity<AuditCheckpoint>(checkpoint =>
        {
            checkpoint.ToTable("audit_checkpoints");
            checkpoint.HasKey(c => c.Number);
            checkpoint.Property(c => c.Number).ValueGeneratedNever();
            checkpoint.Property(c => c.Root).HasMaxLength(64);
            checkpoint.Property(c => c.PreviousHash).HasMaxLength(64);
            checkpoint.Property(c => c.Hash).HasMaxLength(64);
        });
        modelBuilder.Entity<AuditCheckpointHead>(head =>
        {
            head.ToTable("audit_checkpoint_heads");
            head.HasKey(h => new { h.ChainId, h.CheckpointNumber });
            head.Property(h => h.Hash).HasMaxLength(64);
        });
        modelBuilder.Entity<EmailChange>(change =>
        {
            change.ToTable("email_changes");
            change.HasKey(c => c.UserId);
            change.Property(c => c.NewEmail).HasMaxLength(256);
            change.Property(c => c.TokenHash).HasMaxLength(64);
            change.HasOne<User>().WithMany().HasForeignKey(c => c.UserId).OnDelete(DeleteBehavior.Cascade);
        });
        modelBuilder.Entity<AttemptCounter>(counter =>
        {
            // Rate-limit and lockout counters (Abuse/DatabaseAttemptStore.cs); the key is a hex HMAC.
            counter.ToTable("attempt_counters");
            counter.HasKey(c => c.Key);
            counter.Property(c => c.Key).HasMaxLength(64);
            counter.HasIndex(c => c.WindowEnds);
        });
        modelBuilder.Entity<Invitation>(invitation =>
        {
            invitation.ToTable("invitations");
            invitation.HasIndex(i => i.TokenHash).IsUnique();
            invitation.HasIndex(i => i.Email);
            invitation.Property(i => i.Email).HasMaxLength(256);
            invitation.Property(i => i.TokenHash).HasMaxLength(64);
            // Claiming an invitation updates WHERE UsedDate IS NULL, so two sign-ups cannot both use it.
            invitation.Property(i => i.UsedDate).IsConcurrencyToken();
        });
        modelBuilder.Entity<ServerSetting>(setting =>
        {
            setting.ToTable("server_settings");
            setting.HasKey(s => s.Name);
            setting.Property(s => s.Name).HasMaxLength(64);
            setting.Property(s => s.Value).HasMaxLength(256);
        });
        modelBuilder.Entity<TwoFactorRememberToken>(token =>
        {
            token.ToTable("two_factor_remember_tokens");
            token.HasIndex(t => t.TokenHash).IsUnique();
            token.HasIndex(t => t.UserId);
            token.Property(t => t.TokenHash).HasMaxLength(64);
            token.Property(t => t.SecurityStamp).HasMaxLength(64);
            token.HasOne<User>().WithMany().HasForeignKey(t => t.UserId).OnDelete(DeleteBehavior.Cascade);
            token.HasOne<Device>().WithMany().HasForeignKey(t => t.DeviceId).OnDelete(DeleteBehavior.Cascade);
        });
    }

    /// <summary>The sharing tables (doc <c>bitwarden-organizations.md</c> §12); every child row goes with its organization.</summary>
    private static void OnOrganizationsCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<Organization>(organization =>
        {
            organization.ToTable("organizations");
            organization.Property(o => o.Name).HasMaxLength(50);
            organization.Property(o => o.BillingEmail).HasMaxLength(256);
        });
        modelBuilder.Entity<Membership>(membership =>
        {
            membership.ToTable("memberships");
            membership.HasIndex(m => new { m.OrganizationId, m.Email }).IsUnique();
            membership.HasIndex(m => new { m.UserId, m.OrganizationId });
            membership.HasIndex(m => m.Email);
            membership.Property(m => m.Email).HasMaxLength(256);
            membership.Property(m => m.ExternalId).HasMaxLength(300);
            membership.Property(m => m.InvitedByEmail).HasMaxLength(256);
            // The member's revision date is the optimistic concurrency token: of two admins changing one member at
            // once, the second fails instead of silently undoing the first (a revoke racing a confirm).
            membership.Property(m => m.RevisionDate).IsConcurrencyToken();
            membership.HasOne<Organization>().WithMany().HasForeignKey(m => m.OrganizationId).OnDelete(DeleteBehavior.Cascade);
            membership.HasOne<User>().WithMany().HasForeignKey(m => m.UserId).OnDelete(DeleteBehavior.Cascade);
        });
        modelBuilder.Entity<Collection>(collection =>
        {
            collection.ToTable("collections");
            collection.HasIndex(c => c.OrganizationId);
            collection.Property(c => c.Name).HasMaxLength(1000);
            collection.Property(c => c.ExternalId).HasMaxLength(300);
            collection.HasOne<Organization>().WithMany().HasForeignKey(c => c.OrganizationId).OnDelete(DeleteBehavior.Cascade);
        });
        modelBuilder.Entity<CollectionMember>(access =>
        {
            access.ToTable("collection_members");
            access.HasKey(a => new { a.CollectionId, a.MembershipId });
            access.HasIndex(a => a.MembershipId);
            access.HasOne<Collection>().WithMany().HasForeignKey(a => a.CollectionId).OnDelete(DeleteBehavior.Cascade);
            access.HasOne<Membership>().WithMany().HasForeignKey(a => a.MembershipId).OnDelete(DeleteBehavior.Cascade);
        });
        modelBuilder.Entity<Group>(group =>
        {
            group.ToTable("groups");
            group.HasIndex(g => g.OrganizationId);
            group.Property(g => g.Name).HasMaxLength(100);
            group.Property(g => g.ExternalId).HasMaxLength(300);
            group.HasOne<Organization>().WithMany().HasForeignKey(g => g.OrganizationId).OnDelete(DeleteBehavior.Cascade);
        });
        modelBuilder.Entity<GroupMember>(member =>
        {
            member.ToTable("group_members");
            member.HasKey(m => new { m.GroupId, m.MembershipId });
            member.HasIndex(m => m.MembershipId);
            member.HasOne<Group>().WithMany().HasForeignKey(m => m.GroupId).OnDelete(DeleteBehavior.Cascade);
            member.HasOne<Membership>().WithMany().HasForeignKey(m => m.MembershipId).OnDelete(DeleteBehavior.Cascade);
        });
        modelBuilder.Entity<CollectionGroup>(access =>
        {
            access.ToTable("collection_groups");
            access.HasKey(a => new { a.CollectionId, a.GroupId });
            access.HasIndex(a => a.GroupId);
            access.HasOne<Collection>().WithMany().HasForeignKey(a => a.CollectionId).OnDelete(DeleteBehavior.Cascade);
            access.HasOne<Group>().WithMany().HasForeignKey(a => a.GroupId).OnDelete(DeleteBehavior.Cascade);
        });
        modelBuilder.Entity<CollectionCipher>(link =>
        {
            link.ToTable("collection_ciphers");
            link.HasKey(l => new { l.CollectionId, l.CipherId });
            link.HasIndex(l => l.CipherId);
            link.HasOne<Collection>().WithMany().HasForeignKey(l => l.CollectionId).OnDelete(DeleteBehavior.Cascade);
            link.HasOne<Cipher>().WithMany().HasForeignKey(l => l.CipherId).OnDelete(DeleteBehavior.Cascade);
        });
        modelBuilder.Entity<Policy>(policy =>
        {
            policy.ToTable("policies");
            policy.HasIndex(p => new { p.OrganizationId, p.Type }).IsUnique();
            policy.HasOne<Organization>().WithMany().HasForeignKey(p => p.OrganizationId).OnDelete(DeleteBehavior.Cascade);
        });
    }

    /// <summary>Attachments, Sends and the database blob store (<c>bitwarden-sharing-features.md</c> §2.1, §3.1).</summary>
    private static void OnFilesCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<Attachment>(attachment =>
        {
            attachment.ToTable("attachments");
            attachment.Property(a => a.Id).HasMaxLength(32);
            attachment.HasIndex(a => a.CipherId);
            // Upload claims the slot with UPDATE … WHERE Uploaded = false: of two uploads into one slot, one wins.
            attachment.Property(a => a.Uploaded).IsConcurrencyToken();
            attachment.HasOne<Cipher>().WithMany().HasForeignKey(a => a.CipherId).OnDelete(DeleteBehavior.Cascade);
        });
        modelBuilder.Entity<Send>(send =>
        {
            send.ToTable("sends");
            send.HasIndex(s => s.UserId);
            send.HasIndex(s => s.DeletionDate);
            send.Property(s => s.FileId).HasMaxLength(32);
            send.Property(s => s.PasswordHash).HasMaxLength(256);
            send.Property(s => s.RevisionDate).IsConcurrencyToken();
            send.HasOne<User>().WithMany().HasForeignKey(s => s.UserId).OnDelete(DeleteBehavior.Cascade);
        });
        modelBuilder.Entity<StoredBlob>(blob =>
        {
            blob.ToTable("blobs");
            blob.HasIndex(b => b.Key).IsUnique();
            blob.Property(b => b.Key).HasMaxLength(200);
        });
        modelBuilder.Entity<BlobChunk>(chunk =>
        {
            chunk.ToTable("blob_chunks");
            chunk.HasKey(c => new { c.BlobId, c.Sequence });
            chunk.HasOne<StoredBlob>().WithMany().HasForeignKey(c => c.BlobId).OnDelete(DeleteBehavior.Cascade);
        });
    }

    /// <summary>The mail outbox, WebAuthn credentials and ceremonies, e-mailed codes, emergency access (<c>bitwarden-sharing-features.md</c> §4, §5).</summary>
    private static void OnMailAndSecurityKeysCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<User>().Property(u => u.TwoFactorEmail).HasMaxLength(256);
        modelBuilder.Entity<OutboxMessage>(message =>
        {
            message.ToTable("mail_outbox");
            message.Property(m => m.To).HasMaxLength(256);
            message.Property(m => m.Subject).HasMaxLength(256);
            message.Property(m => m.Template).HasMaxLength(64);
            message.Property(m => m.LastError).HasMaxLength(512);
            message.HasIndex(m => m.NextAttemptDate);
        });
        modelBuilder.Entity<WebAuthnCredential>(credential =>
        {
            credential.ToTable("webauthn_credentials");
            credential.Property(c => c.Name).HasMaxLength(50);
            credential.Property(c => c.CredentialId).HasMaxLength(1400);
            credential.Property(c => c.Transports).HasMaxLength(200);
            credential.HasIndex(c => c.CredentialId).IsUnique();
            credential.HasIndex(c => new { c.UserId, c.Kind });
            credential.HasOne<User>().WithMany().HasForeignKey(c => c.UserId).OnDelete(DeleteBehavior.Cascade);
        });
        modelBuilder.Entity<WebAuthnChallenge>(challenge =>
        {
            challenge.ToTable("webauthn_challenges");
            challenge.HasIndex(c => new { c.UserId, c.Ceremony });
            challenge.HasIndex(c => c.ExpirationDate);
            challenge.HasOne<User>().WithMany().HasForeignKey(c => c.UserId).OnDelete(DeleteBehavior.Cascade);
        });
        modelBuilder.Entity<EmailCode>(code =>
        {
            code.ToTable("email_codes");
            code.Property(c => c.Email).HasMaxLength(256);
            code.Property(c => c.CodeHash).HasMaxLength(64);
            code.HasIndex(c => new { c.UserId, c.Purpose }).IsUnique();
            code.HasOne<User>().WithMany().HasForeignKey(c => c.UserId).OnDelete(DeleteBehavior.Cascade);
        });
        modelBuilder.Entity<EmergencyAccessGrant>(grant =>
        {
            grant.ToTable("emergency_access");
            grant.Property(g => g.Email).HasMaxLength(256);
            grant.HasIndex(g => g.GrantorId);
            grant.HasIndex(g => g.GranteeId);
            grant.HasIndex(g => g.Status);
            // A status change is UPDATE … WHERE Status = old: a reject racing the approval job wins or loses cleanly.
            grant.Property(g => g.Status).IsConcurrencyToken();
            grant.HasOne<User>().WithMany().HasForeignKey(g => g.GrantorId).OnDelete(DeleteBehavior.Cascade);
            grant.HasOne<User>().WithMany().HasForeignKey(g => g.GranteeId).OnDelete(DeleteBehavior.Cascade);
        });
    }

    private sealed class UtcDateTimeConverter() : ValueConverter<DateTime, DateTime>(
        v => v.Kind == DateTimeKind.Utc ? v : v.ToUniversalTime(),
        v => DateTime.SpecifyKind(v, DateTimeKind.Utc));
}
