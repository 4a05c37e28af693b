namespace Kyperian.Domain;
