namespace Catalyst.Data.Common;

public static class Clock
{
    /// <summary>UTC now truncated to microseconds so values round-trip through both databases unchanged.</summary>
    public static DateTime UtcNow(TimeProvider time)
    {
        var now = time.GetUtcNow().UtcDateTime;
        return new DateTime(now.Ticks - now.Ticks % 10, DateTimeKind.Utc);
    }
}
