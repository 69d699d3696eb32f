using Microsoft.Extensions.Localization;

// the assembly is named "oms"; resources are found under the project's root namespace
[assembly: RootNamespace("Oms.Server")]

namespace Oms.Server;

/// <summary>
/// Marker of the UI strings: <c>Resources/SharedResource.resx</c> holds the Chinese text (the
/// default), <c>SharedResource.en.resx</c> the English. Pages get it as <c>L</c> (see _ViewImports).
/// </summary>
#pragma warning disable CA1052 // a marker type for IStringLocalizer<T>; never instantiated
public sealed class SharedResource;
#pragma warning restore CA1052
