export default { name: "nightly" };
