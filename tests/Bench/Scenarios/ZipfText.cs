namespace Catalyst.Bench.Scenarios;

/// <summary>
/// Chat-like text with a Zipf(1.0) vocabulary: word ranks drawn with probability ∝ 1/rank, words
/// spelled from syllables between 'q' and 'x', letters no syllable holds, so that a word is never
/// part of another (a <c>LIKE '%word%'</c> finds exactly the messages holding the word).
/// </summary>
public sealed class ZipfText
{
    private static readonly string[] Syllables =
        ["ka", "lo", "mi", "ne", "ru", "ta", "vo", "shi", "pe", "do", "bu", "ga", "fe", "zi", "ho", "ju"];

    private readonly double[] _cumulative;
    private readonly Random _random;

    public ZipfText(int vocabulary, int seed, double exponent = 1.0)
    {
        _random = new Random(seed);
        _cumulative = new double[vocabulary];
        var sum = 0.0;
        for (var rank = 1; rank <= vocabulary; rank++)
            _cumulative[rank - 1] = sum += 1.0 / Math.Pow(rank, exponent);
        for (var i = 0; i < vocabulary; i++)
            _cumulative[i] /= sum;
    }

    public int Vocabulary => _cumulative.Length;

    /// <summary>The word of a rank (1 = most frequent): 'q', its digits in base 16 as syllables, 'x'.</summary>
    public static string Word(int rank)
    {
        var parts = new List<string>();
        for (var n = rank; n > 0; n /= Syllables.Length)
            parts.Add(Syllables[n % Syllables.Length]);
        return "q" + string.Concat(parts) + "x";
    }

    /// <summary>A rank drawn from the distribution (1-based).</summary>
    public int NextRank()
    {
        var index = Array.BinarySearch(_cumulative, _random.NextDouble());
        return (index < 0 ? ~index : index) + 1;
    }

    public string Sentence(int minWords, int maxWords) =>
        string.Join(' ', Enumerable.Range(0, _random.Next(minWords, maxWords + 1)).Select(_ => Word(Math.Min(NextRank(), Vocabulary))));

    public int Next(int max) => _random.Next(max);
}
