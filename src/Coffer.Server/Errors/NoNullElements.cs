using System.Collections;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization.Metadata;

namespace Coffer.Server.Errors;

/// <summary>
/// Refuses <c>null</c> as an element of any list in a JSON request body (<c>{"keys":[null]}</c>): a 400 through model
/// binding, like a wrong type. No client sends one, and every handler may then read list elements without a null
/// check (a forgotten one was a 500). Dictionaries and raw JSON (<see cref="JsonNode"/>) are left as they are.
/// </summary>
public static class NoNullElements
{
    /// <summary>A <see cref="DefaultJsonTypeInfoResolver"/> modifier: wraps the setter of every list-typed property.</summary>
    public static void Modify(JsonTypeInfo typeInfo)
    {
        ArgumentNullException.ThrowIfNull(typeInfo);
        if (typeInfo.Kind != JsonTypeInfoKind.Object)
        {
            return;
        }

        foreach (var property in typeInfo.Properties)
        {
            if (property.Set is not { } set || !IsList(property.PropertyType))
            {
                continue;
            }

            var name = property.Name;
            property.Set = (owner, value) =>
            {
                if (value is IEnumerable elements)
                {
                    foreach (var element in elements)
                    {
                        if (element is null)
                        {
                            throw new JsonException($"{name} must not contain null.");
                        }
                    }
                }

                set(owner, value);
            };
        }
    }

    private static bool IsList(Type type)
    {
        if (type == typeof(string) || typeof(JsonNode).IsAssignableFrom(type) || typeof(IDictionary).IsAssignableFrom(type))
        {
            return false;
        }

        var sequences = type.GetInterfaces().Append(type).Where(i => i.IsGenericType).ToList();
        if (sequences.Any(i => i.GetGenericTypeDefinition() == typeof(IReadOnlyDictionary<,>) || i.GetGenericTypeDefinition() == typeof(IDictionary<,>)))
        {
            return false;
        }

        return sequences.Any(i => i.GetGenericTypeDefinition() == typeof(IEnumerable<>)
            && i.GetGenericArguments()[0] is var element && (!element.IsValueType || Nullable.GetUnderlyingType(element) is not null));
    }
}
