using System.Xml;
using System.Xml.Linq;

namespace Newsletter.Sources;

/// <summary>Loads an Atom or RSS listing, failing with the line and position where it is not well-formed XML.</summary>
internal static class ListingXml
{
    public static XElement? Root(string xml, string source)
    {
        if (string.IsNullOrWhiteSpace(xml))
        {
            throw new ListingException($"{source} is empty: there is no listing to read.");
        }
        try
        {
            return XDocument.Parse(xml, LoadOptions.None).Root;
        }
        catch (XmlException e)
        {
            throw new ListingException($"{source} is not well-formed XML at line {e.LineNumber}, position {e.LinePosition}: {e.Message.Split(" Line ")[0]}", e);
        }
    }
}
