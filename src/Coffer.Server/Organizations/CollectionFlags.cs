namespace Coffer.Server.Organizations;

/// <summary>
/// A caller's access to one collection or one item (doc §1.3, §7.3, §9.2–9.4). Over several paths to the same
/// thing (direct and through groups, or several collections of one item) a restriction holds only if every path
/// has it, and <see cref="Manage"/> if any path has it: <see cref="Combine"/>.
/// </summary>
public readonly record struct CollectionFlags(bool ReadOnly, bool HidePasswords, bool Manage)
{
    /// <summary>What Owners, Admins and edit-any-collection members have on every item and collection.</summary>
    public static CollectionFlags Full { get; } = new(false, false, true);

    /// <summary>The item may be edited (the clients' <c>edit</c>).</summary>
    public bool CanEdit => !ReadOnly || Manage;

    /// <summary>The clients may show hidden values (<c>viewPassword</c>).</summary>
    public bool CanViewPassword => !HidePasswords;

    /// <summary>
    /// Items may be put into or taken out of this collection: writable and passwords visible, or manage. A
    /// hide-passwords member must not re-file an item where they would see its password (doc §9.3).
    /// </summary>
    public bool CanAssignItems => Manage || (!ReadOnly && !HidePasswords);

    /// <summary>Items may be created in this collection (the clients' <c>canEditItems</c>, doc §8).</summary>
    public bool CanAddItems => Manage || !ReadOnly;

    public CollectionFlags Combine(CollectionFlags other) =>
        new(ReadOnly && other.ReadOnly, HidePasswords && other.HidePasswords, Manage || other.Manage);
}
