import type { IdentityField } from '../models';

export const IDENTITY_LABELS: Record<IdentityField, string> = {
  title: 'Title', firstName: 'First name', middleName: 'Middle name', lastName: 'Last name',
  address1: 'Address 1', address2: 'Address 2', address3: 'Address 3', city: 'City / Town', state: 'State / Province',
  postalCode: 'Zip / Postal code', country: 'Country', company: 'Company', email: 'Email', phone: 'Phone',
  ssn: 'Social Security number', username: 'Username', passportNumber: 'Passport number', licenseNumber: 'License number',
};
