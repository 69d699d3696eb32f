using Microsoft.EntityFrameworkCore;
using Oms.Admin;
using Oms.Channels;
using Oms.Common;
using Oms.Data;

namespace Oms.Catalog;

/// <summary>What a supplier is created or updated from (admin form or <c>supplier.add</c>/<c>supplier.update</c>).</summary>
public sealed record SupplierInput(string SupplierBn, string Name)
{
    public string? Contact { get; init; }
    public string? Phone { get; init; }
    public string? Address { get; init; }

    public static SupplierInput From(Supplier s)
    {
        ArgumentNullException.ThrowIfNull(s);
        return new(s.SupplierBn, s.Name) { Contact = s.Contact, Phone = s.Phone, Address = s.Address };
    }
}

/// <summary>Creates, changes and finds suppliers (供应商).</summary>
public sealed class SupplierService(OmsDbContext db, TimeProvider clock, AuditLog audit)
{
    public const int MaxContactLength = 64;
    public const int MaxPhoneLength = 32;
    public const int MaxAddressLength = 255;

    public Task<Supplier?> FindAsync(string supplierBn, CancellationToken ct = default) =>
        db.Set<Supplier>().FirstOrDefaultAsync(s => s.SupplierBn == supplierBn, ct);

    /// <summary>The supplier with this code; a <see cref="DomainException"/> when there is none.</summary>
    public async Task<Supplier> GetAsync(string supplierBn, CancellationToken ct = default) =>
        await FindAsync(supplierBn, ct).ConfigureAwait(false)
        ?? throw new DomainException($"supplier_bn '{supplierBn}' does not exist");

    public async Task<Supplier> CreateAsync(SupplierInput input, string? userName = null, CancellationToken ct = default)
    {
        var v = Validate(input);
        if (await db.Set<Supplier>().AnyAsync(s => s.SupplierBn == v.SupplierBn, ct).ConfigureAwait(false))
            throw new DomainException($"supplier_bn '{v.SupplierBn}' already exists");
        var now = clock.GetUtcNow().UtcDateTime;
        var s = new Supplier
        {
            SupplierBn = v.SupplierBn, Name = v.Name, Contact = v.Contact, Phone = v.Phone, Address = v.Address,
            CreatedAt = now, UpdatedAt = now,
        };
        db.Add(s);
        audit.Record("supplier.create", $"supplier:{s.SupplierBn}", $"name={s.Name}; contact={s.Contact}; phone={s.Phone}", userName);
        await db.SaveChangesAsync(ct).ConfigureAwait(false);
        return s;
    }

    /// <summary>Replaces every field of the supplier named by <see cref="SupplierInput.SupplierBn"/>.</summary>
    public async Task<Supplier> UpdateAsync(SupplierInput input, string? userName = null, CancellationToken ct = default)
    {
        var v = Validate(input);
        var s = await GetAsync(v.SupplierBn, ct).ConfigureAwait(false);
        var changes = new FieldChanges();
        changes.Track("name", s.Name, v.Name);
        changes.Track("contact", s.Contact, v.Contact);
        changes.Track("phone", s.Phone, v.Phone);
        changes.Track("address", s.Address, v.Address);
        s.Name = v.Name;
        s.Contact = v.Contact;
        s.Phone = v.Phone;
        s.Address = v.Address;
        if (changes.Any) s.UpdatedAt = clock.GetUtcNow().UtcDateTime;
        audit.Record("supplier.update", $"supplier:{s.SupplierBn}", changes.ToString(), userName);
        await db.SaveChangesAsync(ct).ConfigureAwait(false);
        return s;
    }

    public Task<Supplier?> FindByIdAsync(long id, CancellationToken ct = default) =>
        db.Set<Supplier>().AsNoTracking().FirstOrDefaultAsync(s => s.Id == id, ct);

    /// <summary>Suppliers newest first, code, name or contact containing <paramref name="text"/> (any case); keyset paged, no OFFSET.</summary>
    public Task<KeysetPage<Supplier>> ListAsync(string? text, long? before, int pageSize = KeysetPaging.DefaultPageSize, CancellationToken ct = default)
    {
        var q = db.Set<Supplier>().AsNoTracking();
        if (!string.IsNullOrWhiteSpace(text))
        {
            var t = text.Trim().ToLowerInvariant();
            q = q.Where(s => s.SupplierBn.ToLower().Contains(t) || s.Name.ToLower().Contains(t)
                             || (s.Contact != null && s.Contact.ToLower().Contains(t)));
        }
        return q.ToKeysetPageAsync(s => s.Id, before, pageSize, ct);
    }

    private static SupplierInput Validate(SupplierInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var bn = MasterDataInput.Code("supplier_bn", input.SupplierBn);
        var name = MasterDataInput.Text("name", input.Name);
        var contact = MasterDataInput.OptionalText("contact", input.Contact, MaxContactLength);
        var phone = MasterDataInput.OptionalText("phone", input.Phone, MaxPhoneLength);
        if (phone is not null && !phone.All(c => char.IsAsciiDigit(c) || c is '+' or '-' or ' ' or '(' or ')'))
            throw new ValidationException("phone", $"'{phone}' is not a phone number (digits, '+', '-', spaces, brackets)");
        var address = MasterDataInput.OptionalText("address", input.Address, MaxAddressLength);
        return input with { SupplierBn = bn, Name = name, Contact = contact, Phone = phone, Address = address };
    }
}
