using System.Security.Cryptography;
using System.Text;
using System.Xml.Linq;
using Microsoft.AspNetCore.DataProtection.XmlEncryption;
using Microsoft.Extensions.DependencyInjection;

namespace Catalyst.Data.Secrets;

/// <summary>
/// Encrypts the Data Protection key ring at rest (cookies, antiforgery and download tokens are derived
/// from it) with the vault's <see cref="MasterKey"/>: AES-GCM under a key derived from the master key
/// for this purpose only. The keys live in the database next to the secrets, so they get the same
/// protection, and no "key may be persisted unencrypted" warning is due.
/// </summary>
public sealed class MasterKeyXmlEncryptor(MasterKey master) : IXmlEncryptor
{
    internal const string ElementName = "encryptedKey";

    public EncryptedXmlInfo Encrypt(XElement plaintextElement)
    {
        var plaintext = Encoding.UTF8.GetBytes(plaintextElement.ToString(SaveOptions.DisableFormatting));
        var sealedBytes = new byte[MasterKeyXml.NonceLength + MasterKeyXml.TagLength + plaintext.Length];
        var nonce = sealedBytes.AsSpan(0, MasterKeyXml.NonceLength);
        RandomNumberGenerator.Fill(nonce);
        using (var aes = new AesGcm(MasterKeyXml.DeriveKey(master), MasterKeyXml.TagLength))
            aes.Encrypt(nonce, plaintext, sealedBytes.AsSpan(MasterKeyXml.NonceLength + MasterKeyXml.TagLength), sealedBytes.AsSpan(MasterKeyXml.NonceLength, MasterKeyXml.TagLength));
        var element = new XElement(ElementName,
            new XAttribute("masterKeyId", master.Id),
            new XComment(" Encrypted with the Catalyst master key (Catalyst:Secrets:MasterKey). "),
            new XElement("value", Convert.ToBase64String(sealedBytes)));
        return new EncryptedXmlInfo(element, typeof(MasterKeyXmlDecryptor));
    }
}

/// <summary>Opens what <see cref="MasterKeyXmlEncryptor"/> sealed; Data Protection creates it by type name with the service provider.</summary>
public sealed class MasterKeyXmlDecryptor(IServiceProvider services) : IXmlDecryptor
{
    public XElement Decrypt(XElement encryptedElement)
    {
        var master = services.GetRequiredService<MasterKey>();
        var keyId = (string?)encryptedElement.Attribute("masterKeyId");
        if (keyId != master.Id)
            throw new CryptographicException($"This Data Protection key was encrypted with master key {keyId}, but the configured master key is {master.Id}.");
        var sealedBytes = Convert.FromBase64String((string?)encryptedElement.Element("value") ?? "");
        if (sealedBytes.Length < MasterKeyXml.NonceLength + MasterKeyXml.TagLength)
            throw new CryptographicException("The encrypted Data Protection key is damaged.");
        var plaintext = new byte[sealedBytes.Length - MasterKeyXml.NonceLength - MasterKeyXml.TagLength];
        using (var aes = new AesGcm(MasterKeyXml.DeriveKey(master), MasterKeyXml.TagLength))
            aes.Decrypt(sealedBytes.AsSpan(0, MasterKeyXml.NonceLength), sealedBytes.AsSpan(MasterKeyXml.NonceLength + MasterKeyXml.TagLength),
                sealedBytes.AsSpan(MasterKeyXml.NonceLength, MasterKeyXml.TagLength), plaintext);
        return XElement.Parse(Encoding.UTF8.GetString(plaintext));
    }
}

internal static class MasterKeyXml
{
    public const int NonceLength = 12;
    public const int TagLength = 16;

    public static byte[] DeriveKey(MasterKey master) =>
        HKDF.DeriveKey(HashAlgorithmName.SHA256, master.Key, 32, salt: [], info: Encoding.ASCII.GetBytes("catalyst-data-protection-xml"));
}
