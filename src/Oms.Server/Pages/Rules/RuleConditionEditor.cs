using Microsoft.AspNetCore.Mvc;
using Oms.Common;
using Oms.Rules;
using Oms.Server.Web;

namespace Oms.Server.Pages.Rules;

/// <summary>The conditions being edited, posted back as hidden fields (type + stored JSON per condition).</summary>
public sealed class ConditionListInput
{
    public List<string> Types { get; set; } = [];
    public List<string> Params { get; set; } = [];
}

/// <summary>
/// Base of the pages that edit a rule's conditions (order groups, branch rules): the condition editor posts the current
/// list plus a new condition's fields; 添加条件 checks the new one with <see cref="RuleFilter.FromForm"/> (its refusal shown
/// beside the editor) and re-renders; 删除 drops one. The readable text of each condition comes from the filter itself.
/// </summary>
public abstract class RuleConditionEditorModel : AdminPageModel
{
    [BindProperty] public ConditionListInput Cond { get; set; } = new();
    [BindProperty] public RuleConditionFormInput New { get; set; } = new();

    public List<(RuleFilter Filter, string Text)> Conditions { get; } = [];
    public RuleTextContext Names { get; protected set; } = RuleTextContext.Empty;

    public sealed class RuleConditionFormInput
    {
        public string? Type { get; set; }
        public string? Values { get; set; }
        public string? Min { get; set; }
        public string? Max { get; set; }
        public string? From { get; set; }
        public string? To { get; set; }
        public bool Yes { get; set; }
        public RuleConditionForm ToForm() => new(Type, Values, Min, Max, From, To, Yes);
    }

    /// <summary>Loads what the page shows besides the conditions (names, options, the rule being edited); false = no such rule.</summary>
    protected abstract Task<bool> LoadAsync(long? id, CancellationToken ct);

    /// <summary>添加条件: the posted list plus the new condition (checked), re-rendered.</summary>
    public async Task<IActionResult> OnPostAddConditionAsync(long? id, CancellationToken ct)
    {
        if (!await LoadAsync(id, ct)) return NotFound();
        AddPosted();
        return Page();
    }

    /// <summary>删除 one condition of the posted list, re-rendered.</summary>
    public async Task<IActionResult> OnPostRemoveConditionAsync(long? id, int index, CancellationToken ct)
    {
        if (!await LoadAsync(id, ct)) return NotFound();
        RemovePosted(index);
        return Page();
    }

    /// <summary>Reads the posted list back (a tampered one is refused as a model error) — false when it did not read.</summary>
    protected bool ReadPosted()
    {
        Conditions.Clear();
        for (var i = 0; i < Math.Min(Cond.Types.Count, Cond.Params.Count); i++)
        {
            try
            {
                var f = RuleFilter.Parse(new StoredCondition(Cond.Types[i], Cond.Params[i]));
                Conditions.Add((f, f.Describe(Names)));
            }
            catch (DomainException e)
            {
                ModelState.AddModelError("", e.Message);
                return false;
            }
        }
        return true;
    }

    protected void SetConditions(IEnumerable<RuleFilter> filters)
    {
        Conditions.Clear();
        foreach (var f in filters) Conditions.Add((f, f.Describe(Names)));
        SyncHidden();
    }

    /// <summary>The hidden fields follow <see cref="Conditions"/> (ModelState would otherwise re-render the posted values).</summary>
    protected void SyncHidden()
    {
        ModelState.Remove("Cond.Types");
        ModelState.Remove("Cond.Params");
        foreach (var key in ModelState.Keys.Where(k => k.StartsWith("Cond.", StringComparison.Ordinal)).ToList()) ModelState.Remove(key);
        Cond = new ConditionListInput
        {
            Types = Conditions.Select(c => c.Filter.Type).ToList(),
            Params = Conditions.Select(c => c.Filter.ToStored().Parameters).ToList(),
        };
    }

    /// <summary>添加条件: true when added (the new-condition fields are then cleared).</summary>
    protected bool AddPosted()
    {
        if (!ReadPosted()) return false;
        try
        {
            var f = RuleFilter.FromForm(New.ToForm());
            if (Conditions.Any(c => c.Filter.Type == f.Type)) throw new DomainException($"已有“{RuleFilter.TypeName(f.Type)}”条件，请先删除再添加");
            Conditions.Add((f, f.Describe(Names)));
            SyncHidden();
            foreach (var key in ModelState.Keys.Where(k => k.StartsWith("New.", StringComparison.Ordinal)).ToList()) ModelState.Remove(key);
            New = new RuleConditionFormInput();
            return true;
        }
        catch (DomainException e)
        {
            ModelState.AddModelError("New", e.Message);
            SyncHidden();
            return false;
        }
    }

    protected void RemovePosted(int index)
    {
        if (!ReadPosted()) return;
        if (index >= 0 && index < Conditions.Count) Conditions.RemoveAt(index);
        SyncHidden();
    }
}
